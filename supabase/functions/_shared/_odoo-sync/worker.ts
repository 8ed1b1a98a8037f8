/**
 * A worker invocation (docs/fanout.md): the tick's wake-up call is answered
 * 202 at once and the work goes on in the background (`EdgeRuntime.waitUntil`),
 * so pg_net's batch never waits on a tenant. The worker claims one
 * organization at a time (its message's visibility timeout is the lease),
 * syncs it within its deadline, finishes or fails it, and claims the next,
 * until the queue is empty or its time budget is spent. A worker that dies
 * loses nothing: its message reappears when the lease ends.
 * Internal: use `odoo-sync.ts`.
 */
import type { RequestBody } from "../auth-guard.ts";
import type { WorkerStopReason } from "../error-catalogue.ts";
import { describeError, log as defaultLogger } from "../log.ts";
import { syncWithin } from "./deadline.ts";
import { claimNext, endRun, startWorker, stopWorker } from "./queue.ts";
import type { SyncOptions } from "./types.ts";

/** `{"worker_id": n}` (from the tick) or `{"worker": true}` (an operator); null: not a worker call. */
export function parseWorkerBody(body: RequestBody): { workerId: number | null } | null {
  if (body.kind !== "json" || body.value === null || typeof body.value !== "object") return null;
  const v = body.value as Record<string, unknown>;
  if (Number.isSafeInteger(v.worker_id) && (v.worker_id as number) > 0) {
    return { workerId: v.worker_id as number };
  }
  return v.worker === true ? { workerId: null } : null;
}

/** How a worker ended. */
export interface WorkerReport {
  workerId: number | null;
  claimed: number;
  reason: WorkerStopReason;
}

/** Monotonic milliseconds: the budget must not depend on the wall clock. */
const elapsedSince = (start: number) => performance.now() - start;

async function loop(
  workerId: number,
  budgetMs: number,
  options: SyncOptions,
): Promise<{ claimed: number; reason: WorkerStopReason }> {
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? defaultLogger;
  const start = performance.now();
  let claimed = 0;
  while (elapsedSince(start) < budgetMs) {
    const claim = await claimNext(options.sql, workerId);
    if (claim === null) return { claimed, reason: "queue_empty" };
    claimed++;
    const result = await syncWithin(claim, { options, now, logger });
    const owned = await endRun(options.sql, claim.runId, result);
    if (!owned) {
      logger("warn", "sync_run_lease_lost", { job: options.job, run_id: claim.runId });
    }
  }
  return { claimed, reason: "budget_spent" };
}

/**
 * Runs one worker to its end; never throws (a database failure is logged and
 * the lease simply runs out).
 *
 * @example
 * const report = await runWorker(42, { job: "crm", sql });
 */
export async function runWorker(
  workerId: number | null,
  options: SyncOptions,
): Promise<WorkerReport> {
  const logger = options.logger ?? defaultLogger;
  const fields = { function_name: options.functionName, job: options.job };
  let lease = null;
  let relay = false;
  try {
    lease = await startWorker(options.sql, options.job, workerId);
    if (lease === null) {
      logger("info", "sync_worker_no_slot", { ...fields, worker_id: workerId });
      return { workerId, claimed: 0, reason: "no_slot" };
    }
    const out = await loop(lease.workerId, lease.budgetMs, options);
    relay = out.reason === "budget_spent";
    logger("info", "sync_worker_stopped", { ...fields, worker_id: lease.workerId, ...out });
    return { workerId: lease.workerId, ...out };
  } catch (err) {
    const error_detail = describeError(err);
    logger("error", "sync_worker_failed", { ...fields, worker_id: workerId, error_detail });
    return { workerId, claimed: 0, reason: "worker_failed" };
  } finally {
    if (lease !== null) await stopWorker(options.sql, lease.workerId, relay).catch(() => {});
  }
}

/** The platform's `EdgeRuntime`, when present (Supabase Edge Runtime). */
type EdgeRuntimeGlobal = { EdgeRuntime?: { waitUntil?: (p: Promise<unknown>) => void } };

// Without EdgeRuntime (a plain `deno serve`), background work is not awaited
// but kept referenced here until it settles, so nothing drops it early.
const pending = new Set<Promise<unknown>>();

/**
 * Hands `work` to `waitUntil` (default `EdgeRuntime.waitUntil`), or keeps a
 * reference to it when there is none.
 *
 * @example
 * inBackground(runWorker(id, options), options.waitUntil);
 */
export function inBackground(
  work: Promise<unknown>,
  waitUntil?: (p: Promise<unknown>) => void,
): void {
  const runtime = (globalThis as EdgeRuntimeGlobal).EdgeRuntime;
  const hand = waitUntil ?? runtime?.waitUntil?.bind(runtime);
  if (hand) return hand(work);
  pending.add(work);
  work.finally(() => pending.delete(work)).catch(() => {});
}
