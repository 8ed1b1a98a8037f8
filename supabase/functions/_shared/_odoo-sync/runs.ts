/**
 * The `sync_runs` record of a run: claimed once per idempotency key, then
 * finished with counts, per-org results, status and an error summary (codes
 * only: no secrets, no Odoo traces). Internal: use `odoo-sync.ts`.
 */
import { asServiceRole, type Sql } from "../db.ts";
import { orgResultsJson } from "../sync-results.ts";
import type { OrgResult, SyncJob, SyncMode } from "./types.ts";

/** A new run, or the one that already holds the key. */
export type Claim =
  | { claimed: true; id: number; key: string }
  | { claimed: false; id: number; key: string; status: string };

/** Final state of a run. */
export interface RunSummary {
  status: "succeeded" | "partial" | "failed";
  counts: Record<string, number>;
  errorSummary: string | null;
}

/** What {@linkcode claimRun} needs. */
export interface ClaimInput {
  job: SyncJob;
  mode: SyncMode;
  /** The caller's slot (a body's `scheduled_for`); null: the database's current minute. */
  scheduledFor: Date | null;
}

/** The row a run over every organization claimed (or found), with its scheduled time. */
export type PassClaim = Claim & { scheduledFor: Date };

/**
 * Claims the run row of a pass over every organization through
 * `public.claim_sync_pass`, which builds its key (`public.sync_run_key`) for
 * the period of `sync_queue_settings.period`: one pass per job, mode and
 * period. Per-organization runs are the queue's (queue.ts).
 *
 * @example
 * const claim = await claimRun(sql, { job: "crm", mode: "incremental", scheduledFor: null });
 * if (!claim.claimed) return; // already ran
 */
export async function claimRun(sql: Sql, input: ClaimInput): Promise<PassClaim> {
  const { job, mode, scheduledFor } = input;
  const [row] = await asServiceRole(sql, (tx) =>
    tx<{
      run_id: string;
      idempotency_key: string;
      outcome: "claimed" | "already_ran";
      previous_status: string | null;
      scheduled_for: Date;
    }[]>`select * from public.claim_sync_pass(${job}, ${mode}, ${scheduledFor})`);
  const head = {
    id: Number(row.run_id),
    key: row.idempotency_key,
    scheduledFor: row.scheduled_for,
  };
  return row.outcome === "claimed"
    ? { claimed: true, ...head }
    : { claimed: false, ...head, status: row.previous_status ?? "unknown" };
}

const sum = (results: OrgResult[], key: "fetched" | "upserted" | "pages" | "deleted") =>
  results.reduce((n, r) => n + (r[key] ?? 0), 0);

/** Most per-org notes kept in `error_summary`; the rest are counted. */
const MAX_NOTES = 20;

/** The notes, at most {@linkcode MAX_NOTES} of them plus one line counting the rest. */
function bounded(notes: string[], notReached: number): string | null {
  const kept = notes.slice(0, MAX_NOTES);
  if (notes.length > MAX_NOTES) kept.push(`and ${notes.length - MAX_NOTES} more`);
  if (notReached > 0) kept.push(`${notReached} organizations not reached, first next run`);
  return kept.length > 0 ? kept.join("; ") : null;
}

/**
 * succeeded: every org ok and complete; failed: every org failed; partial:
 * anything between, or orgs the deadline left for the next run (`notReached`).
 * The error summary is bounded (at most 20 per-org notes).
 *
 * @example
 * summarize([]).status; // "succeeded"
 */
export function summarize(results: OrgResult[], notReached = 0): RunSummary {
  const failed = results.filter((r) => r.status === "error");
  const incomplete = results.filter((r) => r.status === "ok" && !r.complete);
  const status = failed.length > 0 && failed.length === results.length
    ? "failed"
    : failed.length > 0 || incomplete.length > 0 || notReached > 0
    ? "partial"
    : "succeeded";
  const notes = [
    ...failed.map((r) => `${r.org_id}: ${r.status === "error" ? r.error : ""}`),
    ...incomplete.map((r) => `${r.org_id}: deadline reached, continues next run`),
  ];
  return {
    status,
    counts: {
      organizations: results.length,
      not_reached: notReached,
      failed: failed.length,
      incomplete: incomplete.length,
      fetched: sum(results, "fetched"),
      upserted: sum(results, "upserted"),
      pages: sum(results, "pages"),
      deleted: sum(results, "deleted"),
    },
    errorSummary: bounded(notes, notReached),
  };
}

/** What {@linkcode finishRun} writes. */
export interface RunEnd {
  id: number;
  summary: RunSummary;
  results: OrgResult[];
  finishedAt: Date;
}

/**
 * Writes the final state; the per-org results are stored keyed by org id.
 *
 * @example
 * await finishRun(sql, { id, summary: summarize(results), results, finishedAt: new Date() });
 */
export async function finishRun(sql: Sql, end: RunEnd): Promise<void> {
  const { id, summary, results, finishedAt } = end;
  await asServiceRole(sql, (tx) =>
    tx`
      update public.sync_runs
      set finished_at = ${finishedAt}, status = ${summary.status},
        counts = ${JSON.stringify(summary.counts)}::text::jsonb,
        org_results = ${orgResultsJson(results)}::text::jsonb,
        error_summary = ${summary.errorSummary}
      where id = ${id}`);
}
