/**
 * The organization's one overall state, from the same facts the watchdog
 * uses: its open alerts (`edge_guard_alerts`, this organization's and the
 * project-wide ones) and each job's sync state. An open alert always wins, so
 * the state never reads better than an alert about the organization says.
 * Pure. Internal: use `../status.ts`.
 */
import type { AlertView, JobStatus, Overall } from "./types.ts";

/** No good sync for this many of the job's periods is stale (the watchdog's org_sync_stale). */
export const STALE_AFTER_PERIODS = 2;

const RANK: Record<Overall["state"], number> = {
  healthy: 0,
  syncing: 1,
  not_synced: 2,
  stale: 3,
  waiting: 4,
  failing: 5,
};

const earliest = (times: (string | null)[]) =>
  times.filter((t): t is string => t !== null).sort()[0] ?? null;

/** The first failure of the job's current run of failures (in the kept history). */
function failingSince(job: JobStatus): string | null {
  const streak: string[] = [];
  for (const run of job.history) {
    if (run.status === "running") continue;
    if (run.status !== "failed") break;
    streak.push(run.finished_at ?? run.started_at);
  }
  return earliest(streak);
}

function jobState(job: JobStatus, now: Date): Overall {
  const base = { since: null, until: null, because: [job.job] };
  const last = job.last_run;
  if (last?.status === "running") return { ...base, state: "syncing" };
  const next = job.next_attempt;
  if (last?.status === "failed") {
    return next.reason === "backoff" || next.reason === "parked"
      ? { ...base, state: "waiting", until: next.at }
      : { ...base, state: "failing", since: failingSince(job) };
  }
  if (job.last_success === null) {
    return { ...base, state: last === null ? "not_synced" : "healthy", until: next.at };
  }
  const age = now.getTime() - new Date(job.last_success.at).getTime();
  return age > STALE_AFTER_PERIODS * job.period_seconds * 1000
    ? { ...base, state: "stale", since: job.last_success.at }
    : {
      ...base,
      state: "healthy",
    };
}

function fromAlerts(alerts: AlertView[]): Overall | null {
  if (alerts.length === 0) return null;
  const failing = alerts.filter((a) => a.check_id !== "org_sync_stale");
  const chosen = failing.length > 0 ? failing : alerts;
  return {
    state: failing.length > 0 ? "failing" : "stale",
    since: earliest(chosen.map((a) => a.opened_at)),
    until: null,
    because: [...new Set(chosen.map((a) => a.check_id))],
  };
}

/**
 * The worst of the jobs' states, or what the open alerts say when they are
 * worse (any open alert is at least `stale`; all but `org_sync_stale` are
 * `failing`).
 *
 * @example
 * overallState(jobs, alerts ?? [], new Date()).state; // "healthy"
 */
export function overallState(jobs: JobStatus[], alerts: AlertView[], now: Date): Overall {
  const states = jobs.map((j) => jobState(j, now));
  const worst = states.reduce<Overall>(
    (a, b) => (RANK[b.state] > RANK[a.state] ? b : a),
    { state: "healthy", since: null, until: null, because: [] },
  );
  const same = states.filter((s) => s.state === worst.state);
  const merged: Overall = {
    state: worst.state,
    since: earliest(same.map((s) => s.since)),
    until: earliest(same.map((s) => s.until)),
    because: same.flatMap((s) => s.because),
  };
  const alerted = fromAlerts(alerts);
  if (alerted === null || RANK[merged.state] > RANK[alerted.state]) return merged;
  if (merged.state === alerted.state) {
    return {
      ...alerted,
      since: earliest([alerted.since, merged.since]),
      because: [...alerted.because, ...merged.because],
    };
  }
  return alerted;
}
