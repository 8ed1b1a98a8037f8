/**
 * The request handler shared by odoo-crm-sync and odoo-chatter-sync: settings
 * and pool built once, then per request the guard first, a loud
 * `server_misconfigured` for a caller the guard accepted while settings are
 * missing, and the sync itself.
 *
 * @module
 */
import { withAuth } from "./auth-guard.ts";
import { type FunctionDeps, setupFunction, withColdStartLog } from "./startup.ts";
import { handleSyncRequest, type SyncJob, type SyncTuning } from "./odoo-sync.ts";
import { misconfigured } from "./settings.ts";

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
