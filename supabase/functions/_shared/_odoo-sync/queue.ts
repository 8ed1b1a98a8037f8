/**
 * The SQL functions that own the queue's run state (migrations
 * ..._sync_queue_runs.sql): start / claim / finish / fail / stop. TypeScript
 * passes ids and outcomes only; every time and key comes from the database.
 * Internal: use `odoo-sync.ts`.
 */
import { asServiceRole, type Sql } from "../db.ts";
import type { OrgResult, SyncJob, SyncMode } from "./types.ts";
import { orgResultsJson } from "../sync-results.ts";

/** A worker's lease and limits, from `public.start_sync_worker`. */
export interface WorkerLease {
  workerId: number;
  /** No organization is claimed after this many ms from the start (the database checks too). */
  budgetMs: number;
}

/** One claimed organization (a `running` run), from `claim_org_sync` or `claim_org_sync_now`. */
export interface ClaimedOrg {
  runId: number;
  orgId: string;
  mode: SyncMode;
  key: string;
  /** No new page after this many ms; released with a backoff soon after. */
  deadlineMs: number;
}

/**
 * Starts worker `workerId` (the tick leased it), or registers a new one when
 * null and the bound allows; null: stop at once.
 *
 * @example
 * const lease = await startWorker(sql, "crm", 42);
 */
export async function startWorker(
  sql: Sql,
  job: SyncJob,
  workerId: number | null,
): Promise<WorkerLease | null> {
  const rows = await asServiceRole(sql, (tx) =>
    tx<{ worker_id: string; budget_ms: number }[]>`
      select worker_id, budget_ms from public.start_sync_worker(${job}, ${workerId})`);
  return rows.length === 0
    ? null
    : { workerId: Number(rows[0].worker_id), budgetMs: rows[0].budget_ms };
}

/**
 * Claims the next organization for the worker (pgmq.read with the lease as
 * visibility timeout); null when the queue is empty or the worker's lease or
 * budget is over.
 *
 * @example
 * for (let c = await claimNext(sql, id); c; c = await claimNext(sql, id)) { ... }
 */
export async function claimNext(sql: Sql, workerId: number): Promise<ClaimedOrg | null> {
  const rows = await asServiceRole(sql, (tx) =>
    tx<
      {
        run_id: string;
        org_id: string;
        mode: SyncMode;
        idempotency_key: string;
        deadline_ms: number;
      }[]
    >`select run_id, org_id, mode, idempotency_key, deadline_ms
      from public.claim_org_sync(${workerId})`);
  if (rows.length === 0) return null;
  const r = rows[0];
  return {
    runId: Number(r.run_id),
    orgId: r.org_id,
    mode: r.mode,
    key: r.idempotency_key,
    deadlineMs: r.deadline_ms,
  };
}

/** What `claim_org_sync_now` decided. */
export type NowClaim =
  | ({ outcome: "claimed"; scheduledFor: Date } & ClaimedOrg)
  | { outcome: "already_ran"; runId: number; key: string; previousStatus: string }
  | { outcome: "busy"; runId: number };

/**
 * "Sync now": claims `orgId` inline through the same state as a worker.
 *
 * @example
 * const claim = await claimNow(sql, { orgId, job: "crm", mode: "incremental", manual: true });
 */
export async function claimNow(
  sql: Sql,
  o: { orgId: string; job: SyncJob; mode: SyncMode; manual: boolean },
): Promise<NowClaim> {
  const [r] = await asServiceRole(sql, (tx) =>
    tx<
      {
        run_id: string;
        idempotency_key: string;
        outcome: NowClaim["outcome"];
        previous_status: string;
        deadline_ms: number;
        scheduled_for: Date;
      }[]
    >`select * from public.claim_org_sync_now(${o.orgId}::uuid, ${o.job}, ${o.mode},
      ${o.manual ? "manual" : "service"})`);
  const runId = Number(r.run_id);
  if (r.outcome === "busy") return { outcome: "busy", runId };
  if (r.outcome === "already_ran") {
    return {
      outcome: "already_ran",
      runId,
      key: r.idempotency_key,
      previousStatus: r.previous_status,
    };
  }
  return {
    outcome: "claimed",
    runId,
    orgId: o.orgId,
    mode: o.mode,
    key: r.idempotency_key,
    deadlineMs: r.deadline_ms,
    scheduledFor: r.scheduled_for,
  };
}

/**
 * Ends a claimed run with its result: `finish_org_sync` (succeeded, or partial
 * when the deadline cut it) deletes the message; `fail_org_sync` (the fixed
 * error code) archives it and backs off. False: the run no longer held its
 * organization (its lease ended and another worker took it over).
 *
 * @example
 * await endRun(sql, claim.runId, result);
 */
export async function endRun(sql: Sql, runId: number, result: OrgResult): Promise<boolean> {
  // One organization per run: its result (org_results) says everything, so
  // `counts` stays empty and the row small (sync_runs is the largest table).
  const byOrg = orgResultsJson([result]);
  const [row] = await asServiceRole(
    sql,
    (tx) =>
      result.status === "ok"
        ? tx<{ ok: boolean }[]>`select public.finish_org_sync(${runId},
          ${result.complete ? "succeeded" : "partial"}, null, ${byOrg}::text::jsonb,
          ${result.complete ? null : "deadline reached, continues"}) as ok`
        : tx<{ ok: boolean }[]>`select public.fail_org_sync(${runId}, ${result.error}, null,
          ${byOrg}::text::jsonb) as ok`,
  );
  return row.ok;
}

/**
 * Ends the worker's lease, so its slot is free at once; with `relay` (its
 * budget ended with messages left) the database wakes its successor now.
 *
 * @example
 * await stopWorker(sql, lease.workerId, true);
 */
export async function stopWorker(sql: Sql, workerId: number, relay = false): Promise<void> {
  await asServiceRole(sql, (tx) => tx`select public.stop_sync_worker(${workerId}, ${relay})`);
}
