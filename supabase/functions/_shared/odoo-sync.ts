/**
 * Incremental, idempotent Odoo → PostgreSQL sync of `crm.lead` ("crm") and its
 * chatter `mail.message` ("chatter"), for the functions odoo-crm-sync and
 * odoo-chatter-sync. Call it only after the auth guard has passed.
 *
 * A run claims its `sync_runs` row by idempotency key (a repeated period
 * answers `already_ran` and does nothing), then syncs each organization with
 * its own Vault credential: keyset pages ordered `write_date asc, id asc`, each
 * page's rows and cursor committed in one transaction. One organization's
 * failure is recorded as a fixed code and does not stop the others.
 *
 * @module
 */
import type { AuthContext } from "./auth-guard.ts";
import { errorJson, isUuid, json } from "./http.ts";
import { type ClientErrorCode, clientStatus, type ReasonCode } from "./error-catalogue.ts";
import { log as defaultLogger, type Logger } from "./log.ts";
import { parseSyncBody, planRun, type RunPlan, type SyncBody } from "./_odoo-sync/request.ts";
import { claimRun, summarize } from "./_odoo-sync/runs.ts";
import { execute } from "./_odoo-sync/loop.ts";
import { inBackground, parseWorkerBody, runWorker } from "./_odoo-sync/worker.ts";
import { syncNow } from "./_odoo-sync/now.ts";
import type { OrgResult, SyncOptions } from "./_odoo-sync/types.ts";

export type {
  OrgResult,
  SyncCounts,
  SyncErrorCode,
  SyncJob,
  SyncMode,
  SyncOptions,
  SyncTuning,
} from "./_odoo-sync/types.ts";

/** What to sync, after the guard. */
export interface SyncRequest extends SyncBody {
  /** One organization, or null for every organization with an `odoo` credential (service callers only). */
  orgId: string | null;
  /** True for an admin's "sync now" (per-minute, per-org idempotency key). */
  manual: boolean;
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

function logDrift(plan: RunPlan, startedAt: Date, logger: Logger, fields: object): void {
  const drift = Math.round((startedAt.getTime() - plan.scheduledFor.getTime()) / 1000);
  if (Math.abs(drift) <= DRIFT_WARN_SECONDS) return;
  logger("warn", "sync_schedule_drift", {
    ...fields,
    drift_seconds: drift,
    scheduled_for: plan.scheduledFor.toISOString(),
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
 *   { mode: "incremental", scheduledFor: null, orgId: null, manual: false },
 *   { job: "crm", sql },
 * );
 * console.log(report.status);
 */
export async function runOdooSync(request: SyncRequest, options: SyncOptions): Promise<SyncReport> {
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? defaultLogger;
  const { job, sql, functionName } = options;
  const startedAt = now();
  const plan = planRun({ ...request, job }, startedAt);
  const orgId = request.orgId;
  const claim = await claimRun(sql, { job, plan, startedAt, orgId });
  const head = { run_id: claim.id, job, mode: request.mode, idempotency_key: claim.key };
  const caller_identity = request.callerIdentity ?? "service_role";
  const fields = { function_name: functionName, caller_identity, ...head };
  if (!claim.claimed) {
    logger("info", "sync_already_ran", { ...fields, previous_status: claim.status });
    return { status: "already_ran", ...head, previous_status: claim.status };
  }
  const scheduled_for = plan.scheduledFor.toISOString();
  logDrift(plan, startedAt, logger, fields);
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

/**
 * The HTTP side shared by both functions, for a caller the guard accepted
 * (the body as the guard read it, `auth.body`; `org_id` already checked and
 * present as `auth.orgId`):
 * - a service call with `worker_id` (the tick's wake-up) or `"worker": true`
 *   answers 202 at once and runs a queue worker in the background
 *   (`options.waitUntil`, default `EdgeRuntime.waitUntil`);
 * - a call naming an organization (an admin's "sync now", or a service call
 *   with `org_id`) syncs it inline through the queue's state: 200 with the
 *   report, `already_ran` in the same minute, `already_running` while a worker
 *   holds it, 502 when it failed;
 * - any other service call syncs every organization in turn (an operator's
 *   tool; not scheduled).
 * 400 `invalid_request` for a bad request. The method rule (POST only, 405) is
 * `withAuth`'s, shared by every function.
 *
 * @param _req the request; its body was consumed by the guard.
 * @param auth the guard's context.
 * @param options see {@linkcode SyncOptions}.
 * @returns the JSON response.
 * @example
 * Deno.serve(withAuth((req, auth) => handleSyncRequest(req, auth, { job: "crm", sql })));
 */
export async function handleSyncRequest(
  _req: Request,
  auth: AuthContext,
  options: SyncOptions,
): Promise<Response> {
  const logger = options.logger ?? defaultLogger;
  const callerIdentity = auth.userId ?? "service_role";
  const refuse = (reason: ReasonCode, error: ClientErrorCode = "invalid_request") => {
    const fields = { function_name: options.functionName, caller_identity: callerIdentity };
    logger("warn", "sync_request_invalid", {
      ...fields,
      reason,
      status: clientStatus(error),
      error,
    });
    return errorJson(error);
  };
  const body = parseSyncBody(auth.body);
  if ("invalid" in body) return refuse(body.invalid);
  if (auth.orgId !== null && !isUuid(auth.orgId)) return refuse("org_id_not_a_uuid");
  const manual = !auth.isServiceRole;
  if (manual && auth.orgId === null) {
    return refuse("no_organization", "insufficient_permissions");
  }
  const worker = auth.isServiceRole && auth.orgId === null ? parseWorkerBody(auth.body) : null;
  if (worker !== null) {
    inBackground(runWorker(worker.workerId, options), options.waitUntil);
    return json({ status: "accepted", job: options.job }, 202);
  }
  if (auth.orgId !== null) {
    const now = { orgId: auth.orgId, mode: body.mode, manual, callerIdentity };
    const report = await syncNow(now, options);
    const head = { job: options.job, mode: body.mode };
    return json({ ...report, ...head }, report.status === "failed" ? 502 : 200);
  }
  const request = { ...body, orgId: null, manual, callerIdentity };
  const report = await runOdooSync(request, options);
  return json(report, report.status === "failed" ? 502 : 200);
}
