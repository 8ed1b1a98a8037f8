/**
 * "Sync now" (an integration admin, or a service call naming `org_id`): the
 * organization is claimed inline through the queue's own state
 * (`claim_org_sync_now`: same lease, key builder, finish and fail as a
 * worker), so a worker never syncs it at the same time and its next slot,
 * backoff and alerts follow from this run. Internal: use `odoo-sync.ts`.
 */
import { log as defaultLogger } from "../log.ts";
import { syncWithin } from "./deadline.ts";
import { claimNow, endRun } from "./queue.ts";
import { summarize } from "./runs.ts";
import type { OrgResult, SyncMode, SyncOptions } from "./types.ts";

/** What {@linkcode syncNow} answers; the HTTP layer turns it into JSON. */
export type NowReport =
  | {
    status: "succeeded" | "partial" | "failed";
    run_id: number;
    idempotency_key: string;
    scheduled_for: string;
    organizations: OrgResult[];
    not_reached: 0;
  }
  | { status: "already_ran"; run_id: number; idempotency_key: string; previous_status: string }
  | { status: "already_running"; run_id: number };

/**
 * Syncs `orgId` now, within the database's per-organization deadline.
 *
 * @example
 * const report = await syncNow({ orgId, mode: "incremental", manual: true, callerIdentity: sub }, options);
 */
export async function syncNow(
  request: { orgId: string; mode: SyncMode; manual: boolean; callerIdentity: string },
  options: SyncOptions,
): Promise<NowReport> {
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? defaultLogger;
  const claim = await claimNow(options.sql, { ...request, job: options.job });
  const fields = {
    function_name: options.functionName,
    caller_identity: request.callerIdentity,
    job: options.job,
    mode: request.mode,
    org_id: request.orgId,
    run_id: claim.runId,
  };
  if (claim.outcome === "busy") {
    logger("info", "sync_now_busy", fields);
    return { status: "already_running", run_id: claim.runId };
  }
  if (claim.outcome === "already_ran") {
    logger("info", "sync_already_ran", { ...fields, previous_status: claim.previousStatus });
    return {
      status: "already_ran",
      run_id: claim.runId,
      idempotency_key: claim.key,
      previous_status: claim.previousStatus,
    };
  }
  logger("info", "sync_run_started", { ...fields, idempotency_key: claim.key });
  const result = await syncWithin(claim, { options, now, logger });
  await endRun(options.sql, claim.runId, result);
  const status = summarize([result]).status;
  logger("info", "sync_run_finished", { ...fields, status });
  return {
    status,
    run_id: claim.runId,
    idempotency_key: claim.key,
    scheduled_for: claim.scheduledFor.toISOString(),
    organizations: [result],
    not_reached: 0,
  };
}
