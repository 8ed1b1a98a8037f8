/**
 * The sync facts the status page shows, read from the sync's own state: where
 * the organization stands per job (`public.sync_org_state`: last success,
 * failures in a row, when it is due again, a run in flight, parked) and its
 * recent runs (`public.sync_runs`). Every query is scoped by the organization
 * id as a SQL parameter. This file is the one place to re-point when the sync
 * state tables change: the state row is read whole (`to_jsonb`) and
 * normalised in {@linkcode normaliseState}, so a column the schema does not
 * have (yet) reads as absent. Internal: use `../status.ts`.
 */
import { asServiceRole, type Sql } from "../../_shared/db.ts";
import { readOrgResult, type StoredOrgResult } from "../../_shared/sync-results.ts";

/** One run that concerns the organization (its own result is `result`). */
export interface RunRow {
  id: string;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  /** `schedule`, `admin` or `service` (`sync_runs.started_by`). */
  started_by: string;
  error_summary: string | null;
  /** `org_results -> org` (null while running, or for a run that never reached it). */
  result: StoredOrgResult | null;
}

/** The columns of a {@linkcode RunRow}, `result` still as stored. */
type StoredRun = Omit<RunRow, "result"> & { result: unknown };

const toRunRow = (r: StoredRun): RunRow => ({ ...r, result: readOrgResult(r.result) });

/**
 * Each job's period in seconds (`public.sync_queue_settings.period`, the one
 * the tick, the keys and the watchdog's staleness use). The migrations insert
 * a row per job; a job without one is a broken database, which
 * {@linkcode periodOf} reports loudly.
 */
export async function syncPeriods(sql: Sql): Promise<Map<string, number>> {
  const rows = await asServiceRole(sql, (tx) =>
    tx<{ job: string; seconds: number }[]>`
      select job, extract(epoch from period)::int as seconds from public.sync_queue_settings`);
  return new Map(rows.map((r) => [r.job, r.seconds]));
}

/** The period of `job` from {@linkcode syncPeriods}; throws when its row is missing. */
export function periodOf(periods: Map<string, number>, job: string): number {
  const seconds = periods.get(job);
  if (seconds === undefined) {
    throw new Error(`public.sync_queue_settings has no row for job ${job}`);
  }
  return seconds;
}

/** Where the sync has the organization for one job. */
export interface OrgSyncState {
  last_success_at: Date | null;
  last_status: string | null;
  last_error: string | null;
  consecutive_failures: number;
  /** When the organization is next due (the queue's `next_due_at`, else the backoff's end). */
  next_due_at: Date | null;
  /** True when the due time is a backoff's end rather than the schedule's slot. */
  backoff_until: Date | null;
  parked_at: Date | null;
  /** A run holds the organization until then (the queue's lease). */
  lease_until: Date | null;
}

const date = (v: unknown) => (typeof v === "string" ? new Date(v) : null);
const text = (v: unknown) => (typeof v === "string" ? v : null);

/**
 * Turns one `sync_org_state` row (as JSON) into {@linkcode OrgSyncState}:
 * the dispatcher's columns (`next_attempt_at`) and the queue's (`next_due_at`,
 * `parked_at`, `lease_until`) both read.
 */
export function normaliseState(row: Record<string, unknown>): OrgSyncState {
  const failures = typeof row.consecutive_failures === "number" ? row.consecutive_failures : 0;
  const retry = date(row.next_attempt_at);
  return {
    last_success_at: date(row.last_success_at),
    last_status: text(row.last_status),
    last_error: text(row.last_error),
    consecutive_failures: failures,
    next_due_at: date(row.next_due_at) ?? retry,
    backoff_until: failures > 0 ? date(row.next_due_at) ?? retry : null,
    parked_at: date(row.parked_at),
    lease_until: row.run_id === null || row.run_id === undefined ? null : date(row.lease_until),
  };
}

/**
 * The sync state of `orgId` per job; empty when the table does not exist
 * (`to_regclass`) or the organization is not enrolled.
 */
export async function orgSyncState(sql: Sql, orgId: string): Promise<Map<string, OrgSyncState>> {
  const rows = await asServiceRole(sql, async (tx) => {
    const [{ present }] = await tx<{ present: boolean }[]>`
      select to_regclass('public.sync_org_state') is not null as present`;
    if (!present) return [];
    return await tx<{ job: string; row: Record<string, unknown> }[]>`
      select s.job, to_jsonb(s) as row from public.sync_org_state s
      where s.org_id = ${orgId}::uuid`;
  });
  return new Map(rows.map((r) => [r.job, normaliseState(r.row)]));
}

/**
 * The newest `limit` runs of `job` for `orgId` (its own runs, `org_id`, by
 * the `(org_id, job, scheduled_for)` index; a run over several organizations
 * at once, from before the per-organization fan-out, is not shown). Newest
 * by `scheduled_for`.
 */
export async function recentRuns(
  sql: Sql,
  job: string,
  orgId: string,
  limit: number,
): Promise<RunRow[]> {
  const rows = await asServiceRole(sql, (tx) =>
    tx<StoredRun[]>`
      select id::text, status, started_at, finished_at, started_by, error_summary,
        org_results -> ${orgId}::text as result
      from public.sync_runs
      where org_id = ${orgId}::uuid and job = ${job} and integration = 'odoo'
      order by scheduled_for desc, id desc
      limit ${limit}`);
  return rows.map(toRunRow);
}

/**
 * The organization's latest run of `job` that succeeded completely, for
 * "last success" with its counts (its own runs, by the same index).
 */
export async function lastSuccessfulRun(
  sql: Sql,
  job: string,
  orgId: string,
): Promise<RunRow | null> {
  const rows = await asServiceRole(sql, (tx) =>
    tx<StoredRun[]>`
      select id::text, status, started_at, finished_at, started_by, error_summary,
        org_results -> ${orgId}::text as result
      from public.sync_runs
      where org_id = ${orgId}::uuid and job = ${job} and integration = 'odoo'
        and status = 'succeeded'
      order by scheduled_for desc, id desc
      limit 1`);
  return rows.length > 0 ? toRunRow(rows[0]) : null;
}
