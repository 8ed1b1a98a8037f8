/**
 * The HTTP side of the sync: the handler both sync functions serve (settings
 * and pool built once, then per request the guard first, a loud
 * `server_misconfigured` for a caller the guard accepted while settings are
 * missing, and the sync itself), and the request handling after the guard.
 * Internal to odoo-sync.ts.
 */
import { type AuthContext, withAuth } from "../auth-guard.ts";
import { errorJson, isUuid, json } from "../http.ts";
import { type ClientErrorCode, clientStatus, type ReasonCode } from "../error-catalogue.ts";
import { log as defaultLogger } from "../log.ts";
import { misconfigured } from "../settings.ts";
import { type FunctionDeps, setupFunction, withColdStartLog } from "../startup.ts";
import { parseSyncBody } from "./request.ts";
import { inBackground, parseWorkerBody, runWorker } from "./worker.ts";
import { syncNow } from "./now.ts";
import { runOdooSync } from "./run.ts";
import type { SyncJob, SyncOptions, SyncTuning } from "./types.ts";

/**
 * What a sync function uses; every field is optional in {@linkcode createOdooSyncHandler}
 * (see {@linkcode FunctionDeps} for the defaults): `fetch` is the HTTP client for
 * Odoo and `now` the clock of the sync (period, drift, deadline).
 */
export interface OdooSyncDeps extends FunctionDeps {
  /** Page size, deadline, settle window, Odoo timeouts. Default: the documented defaults. */
  sync: SyncTuning;
  /**
   * Keeps a worker's background work alive after its 202 answer. Default
   * `EdgeRuntime.waitUntil` (the platform's); tests pass a fake that collects
   * the promise.
   */
  waitUntil: (promise: Promise<unknown>) => void;
}

/**
 * Builds the handler of one sync function. Settings are read and the pool is
 * built once, here; a missing `SUPABASE_DB_URL` is logged now and answered with
 * 500 `server_misconfigured` to every caller the guard accepts.
 *
 * @param job `"crm"` (crm.lead) or `"chatter"` (mail.message on crm.lead).
 * @param functionName used in logs.
 * @param deps replacements for tests; see {@linkcode OdooSyncDeps}.
 * @returns a `Deno.serve` handler.
 * @example
 * Deno.serve(createOdooSyncHandler("crm", "odoo-crm-sync"));
 */
export function createOdooSyncHandler(
  job: SyncJob,
  functionName: string,
  deps: Partial<OdooSyncDeps> = {},
): (req: Request) => Promise<Response> {
  const { sql, missing, logger, auth, outbound } = setupFunction(functionName, {
    deps,
    outbound: true,
  });
  const odoo = {
    policy: outbound.policy,
    maxAnswerBytes: outbound.odooMaxBytes,
    ...deps.sync?.odoo,
  };
  return withColdStartLog(
    functionName,
    withAuth((req, ctx) => {
      if (sql === null) return misconfigured(functionName, missing, logger);
      // fetch and now go through unchanged: the sync applies its own defaults.
      const options = {
        ...deps.sync,
        odoo,
        job,
        sql,
        fetch: deps.fetch,
        now: deps.now,
        waitUntil: deps.waitUntil,
        logger,
        functionName,
      };
      return handleSyncRequest(req, ctx, options);
    }, auth),
    { logger: logger },
  );
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
  const report = await runOdooSync({ ...body, callerIdentity }, options);
  return json(report, report.status === "failed" ? 502 : 200);
}
