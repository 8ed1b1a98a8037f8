/**
 * The status said in words: the overall state, each job's last success, last
 * attempt, next attempt and recent runs. Pure (no DOM): times are written by
 * the `time` function the caller passes, so it is tested in Deno.
 */
import type {
  IntegrationStatus,
  JobStatus,
  NextAttempt,
  Overall,
  RunView,
} from "../../supabase/functions/integration-status/status.ts";
import { syncErrorHint } from "./messages.ts";

export type { IntegrationStatus, JobStatus, NextAttempt, Overall, RunView };

/** Writes an ISO time for people. */
export type TimeWords = (iso: string) => string;

/** The overall state in a few words, and its tone. */
export interface Headline {
  tone: "success" | "info" | "error";
  text: string;
}

/**
 * The organization's overall state in words.
 *
 * @example
 * overallWords({ state: "healthy", since: null, until: null, because: [] }, String).text;
 * // "Healthy: every job's last sync succeeded."
 */
export function overallWords(o: Overall, time: TimeWords): Headline {
  const since = o.since === null ? "" : ` since ${time(o.since)}`;
  switch (o.state) {
    case "failing":
      return { tone: "error", text: `Failing${since}: see the alerts and the jobs below.` };
    case "stale":
      return { tone: "error", text: `Stale${since}: no good sync for over 30 minutes.` };
    case "waiting":
      return {
        tone: "error",
        text: `Waiting to retry${o.until ? ` until ${time(o.until)}` : ""}: the last ` +
          "attempt failed; see the job below.",
      };
    case "syncing":
      return { tone: "info", text: "Syncing: a run is in progress." };
    case "not_synced":
      return {
        tone: "info",
        text: `Not synced yet${o.until ? `: first sync at ${time(o.until)}` : ""}.`,
      };
    default:
      return { tone: "success", text: "Healthy: every job's last sync succeeded." };
  }
}

const trigger = (r: RunView) => (r.trigger === "manual" ? "sync now" : "schedule");
const counts = (fetched: number | null, upserted: number | null) =>
  fetched === null ? "" : `${fetched} fetched, ${upserted} saved`;

/** "Succeeded: 25 fetched, 25 saved" and friends, without the time. */
export function outcomeWords(r: RunView): string {
  if (r.status === "running") return "In progress";
  if (r.status === "failed") return `Failed (${r.error ?? "internal_error"})`;
  const word = r.status === "incomplete" ? "Incomplete (continues next run)" : "Succeeded";
  return `${word}: ${counts(r.fetched, r.upserted)}`;
}

/** The last attempt with its outcome, trigger, time and (when it failed) what to do. */
export function lastAttemptWords(r: RunView | null, time: TimeWords): string {
  if (r === null) return "No attempt yet.";
  const when = `${time(r.started_at)}, ${trigger(r)}`;
  const text = `${outcomeWords(r)} (${when}).`;
  return r.status === "failed" ? `${text} ${syncErrorHint(r.error)}` : text;
}

/** When the last complete success was, with its counts. */
export function lastSuccessWords(s: JobStatus["last_success"], time: TimeWords): string {
  if (s === null) return "Never.";
  const c = counts(s.fetched, s.upserted);
  return c === "" ? `${time(s.at)}.` : `${time(s.at)}: ${c}.`;
}

/** The next attempt and why then. */
export function nextAttemptWords(n: NextAttempt, time: TimeWords): string {
  const at = n.at === null ? "" : time(n.at);
  switch (n.reason) {
    case "in_flight":
      return "Now: a run is in progress.";
    case "not_scheduled":
      return "Not scheduled: the schedule is paused or missing (Sync now still works).";
    case "backoff":
      return `${at}: retry after ${n.failures} failure${n.failures === 1 ? "" : "s"} in a row ` +
        "(backing off).";
    case "parked":
      return `${at}: retried only slowly after ${n.failures} failures in a row (parked); ` +
        "fix the cause, then press Sync now.";
    default:
      return `${at}: on schedule.`;
  }
}

/** One line of the recent runs: time, trigger, outcome, counts. */
export function historyWords(r: RunView, time: TimeWords): string {
  return `${time(r.started_at)} · ${trigger(r)} · ${outcomeWords(r)}`;
}
