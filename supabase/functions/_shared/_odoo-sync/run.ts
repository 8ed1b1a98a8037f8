/**
 * One sync run over every organization: claim the run row (one per job, mode
 * and period), sync each organization in turn, summarize. Internal to odoo-sync.ts.
 */
import { log as defaultLogger, type Logger } from "../log.ts";
import type { SyncBody } from "./request.ts";
import { claimRun, summarize } from "./runs.ts";
import { execute } from "./loop.ts";
import type { OrgResult, SyncOptions } from "./types.ts";

/** A run over every organization with an `odoo` credential (a service call without `org_id`). */
export interface SyncRequest extends SyncBody {
  /** For logs: the verified `sub`, or `service_role`. Default `service_role`. */
  callerIdentity?: string;
}

/** The JSON a sync function answers with. */
export type SyncReport =
  | {
    status: "succeeded" | "partial" | "failed";
    run_id: number;
    job: SyncOptions["job"];
    mode: SyncBody["mode"];
    idempotency_key: string;
    scheduled_for: string;
    organizations: OrgResult[];
    /** Organizations the deadline left for the next run (they go first then). */
    not_reached: number;
  }
  | {
    status: "already_ran";
    run_id: number;
    job: SyncOptions["job"];
    mode: SyncBody["mode"];
    idempotency_key: string;
    previous_status: string;
  };

const DRIFT_WARN_SECONDS = 300;

/** A caller's `scheduled_for` far from when the run started (a late or early cron). */
function logDrift(scheduledFor: Date, startedAt: Date, logger: Logger, fields: object): void {
  const drift = Math.round((startedAt.getTime() - scheduledFor.getTime()) / 1000);
  if (Math.abs(drift) <= DRIFT_WARN_SECONDS) return;
  logger("warn", "sync_schedule_drift", {
    ...fields,
    drift_seconds: drift,
    scheduled_for: scheduledFor.toISOString(),
    started_at: startedAt.toISOString(),
  });
}

/**
 * Runs one sync (see the module doc). Throws only when the database itself
 * fails; the run row is then marked failed before the error is rethrown.
 *
 * @param request what to sync; see {@linkcode SyncRequest}.
 * @param options job, pool and seams; see {@linkcode SyncOptions}.
 * @returns the report: per-org results, or `already_ran`.
 * @example
 * const report = await runOdooSync(
 *   { mode: "incremental", scheduledFor: null },
 *   { job: "crm", sql },
 * );
 * console.log(report.status);
 */
export async function runOdooSync(request: SyncRequest, options: SyncOptions): Promise<SyncReport> {
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? defaultLogger;
  const { job, sql, functionName } = options;
  const startedAt = now();
  const claim = await claimRun(sql, {
    job,
    mode: request.mode,
    scheduledFor: request.scheduledFor,
  });
  const head = { run_id: claim.id, job, mode: request.mode, idempotency_key: claim.key };
  const caller_identity = request.callerIdentity ?? "service_role";
  const fields = { function_name: functionName, caller_identity, ...head };
  if (!claim.claimed) {
    logger("info", "sync_already_ran", { ...fields, previous_status: claim.status });
    return { status: "already_ran", ...head, previous_status: claim.status };
  }
  const scheduled_for = claim.scheduledFor.toISOString();
  if (request.scheduledFor !== null) logDrift(request.scheduledFor, startedAt, logger, fields);
  logger("info", "sync_run_started", { ...fields, scheduled_for });
  const { results, notReached } = await execute({
    request,
    options,
    now,
    logger,
    startedAt,
    runId: claim.id,
    fields,
  });
  const status = summarize(results, notReached).status;
  return {
    status,
    ...head,
    scheduled_for,
    organizations: results,
    not_reached: notReached,
  };
}
