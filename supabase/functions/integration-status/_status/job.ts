/**
 * One job's status from its facts (pure, so every case is tested without a
 * database): the runs in words, the last success, and the next attempt with
 * its reason. Internal: use `../status.ts`.
 */
import { nextCronTime } from "./cron.ts";
import type { OrgSyncState, RunRow } from "./sync_facts.ts";
import type { JobStatus, NextAttempt, RunView } from "./types.ts";

/** A run as the organization sees it (its own result inside a run of several). */
export function runView(row: RunRow): RunView {
  const r = row.result;
  const status = (row.status === "running" || row.status === "queued") && r === null
    ? "running"
    : r?.status === "error" || (row.status === "failed" && r === null)
    ? "failed"
    : (r?.status === "ok" && !r.complete) || (row.status === "partial" && r === null)
    ? "incomplete"
    : "succeeded";
  const error = r?.status === "error" ? r.error : row.error_summary;
  return {
    run_id: Number(row.id),
    status,
    trigger: row.started_by === "schedule" ? "scheduled" : "manual",
    started_at: row.started_at.toISOString(),
    finished_at: row.finished_at?.toISOString() ?? null,
    fetched: r?.fetched ?? 0,
    upserted: r?.upserted ?? 0,
    pages: r?.pages ?? 0,
    error: status === "failed" ? error ?? "internal_error" : null,
  };
}

/**
 * The earliest time the schedule may send the organization again: its due
 * time when the sync state has one, else (the per-minute dispatcher) the next
 * period after a success in this one; never before a backoff ends, never
 * before `now`.
 */
function dueFrom(state: OrgSyncState | undefined, periodMs: number, now: Date): Date {
  const periodStart = Math.floor(now.getTime() / periodMs) * periodMs;
  const successAt = state?.last_success_at?.getTime() ?? -Infinity;
  const afterSuccess = successAt >= periodStart ? periodStart + periodMs : now.getTime();
  const due = state?.next_due_at?.getTime() ?? -Infinity;
  return new Date(Math.max(afterSuccess, due, now.getTime()));
}

function nextAttempt(o: {
  state: OrgSyncState | undefined;
  cron: { schedule: string; active: boolean } | undefined;
  running: boolean;
  periodMs: number;
  now: Date;
}): NextAttempt {
  const failures = o.state?.consecutive_failures ?? 0;
  const why = (reason: NextAttempt["reason"], at: string | null) => ({ at, reason, failures });
  if (o.running) return why("in_flight", null);
  if (!o.cron?.active) return why("not_scheduled", null);
  const from = dueFrom(o.state, o.periodMs, o.now);
  const at = nextCronTime(o.cron.schedule, new Date(from.getTime() - 1))?.toISOString() ?? null;
  const waiting = (o.state?.backoff_until?.getTime() ?? -Infinity) > o.now.getTime();
  return why(o.state?.parked_at ? "parked" : waiting && failures > 0 ? "backoff" : "schedule", at);
}

/** The facts of one job, as read by `sync_facts.ts` and `queries.ts`. */
export interface JobFacts {
  job: JobStatus["job"];
  label: string;
  function: string;
  cron: { schedule: string; active: boolean } | undefined;
  /** `sync_queue_settings.period` of the job, in seconds. */
  periodSeconds: number;
  state: OrgSyncState | undefined;
  runs: RunRow[];
  lastSuccess: RunRow | null;
}

/**
 * The status of one job at `now`.
 *
 * @example
 * jobStatus({ job: "crm", label: "CRM leads", function: "odoo-crm-sync", cron, periodSeconds: 900, state, runs, lastSuccess: null }, now);
 */
export function jobStatus(facts: JobFacts, now: Date): JobStatus {
  const history = facts.runs.map(runView);
  const last = history[0] ?? null;
  const leased = (facts.state?.lease_until?.getTime() ?? -Infinity) > now.getTime();
  const next = nextAttempt({
    state: facts.state,
    cron: facts.cron,
    running: last?.status === "running" || leased,
    periodMs: facts.periodSeconds * 1000,
    now,
  });
  const success = facts.lastSuccess === null ? null : runView(facts.lastSuccess);
  const successAt = success?.finished_at ?? facts.state?.last_success_at?.toISOString() ?? null;
  return {
    job: facts.job,
    label: facts.label,
    function: facts.function,
    schedule: facts.cron?.schedule ?? null,
    period_seconds: facts.periodSeconds,
    next_run_at: next.at,
    next_attempt: next,
    last_success: successAt === null ? null : {
      at: successAt,
      fetched: success?.fetched ?? null,
      upserted: success?.upserted ?? null,
    },
    last_run: last,
    history,
  };
}
