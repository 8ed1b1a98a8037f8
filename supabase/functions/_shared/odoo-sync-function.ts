/**
 * The request handler shared by odoo-crm-sync and odoo-chatter-sync: settings
 * and pool built once, then per request the guard first, a loud
 * `server_misconfigured` for a caller the guard accepted while settings are
 * missing, and the sync itself.
 *
 * @module
 */
import { loadAuthConfig, type VerifyOptions, withAuth } from "./auth-guard.ts";
import { createSql, type Sql } from "./db.ts";
import { log, type Logger } from "./log.ts";
import { handleSyncRequest, type SyncJob, type SyncTuning } from "./odoo-sync.ts";
import { type Env, misconfigured, readSettings } from "./settings.ts";

/** What a sync function uses; every field is optional in {@linkcode createOdooSyncHandler}. */
export interface OdooSyncDeps {
  /** Environment. Default `Deno.env`. */
  env: Env;
  /** Database pool. Default `createSql(SUPABASE_DB_URL)` (then SUPABASE_DB_URL is required). */
  sql: Sql;
  /** HTTP client for Odoo. Default global `fetch`. */
  fetch: typeof fetch;
  /** Clock of the sync (period, drift, deadline). Default `() => new Date()`. */
  now: () => Date;
  /** Structured logger. Default the console logger. */
  logger: Logger;
  /** Guard options merged over `{ config: loadAuthConfig(env), functionName, logger }`. */
  auth: VerifyOptions;
  /** Page size, deadline, settle window, Odoo timeouts. Default: the documented defaults. */
  sync: SyncTuning;
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
  const env = deps.env ?? Deno.env;
  const logger = deps.logger ?? log;
  const settings = readSettings(functionName, deps.sql ? [] : ["SUPABASE_DB_URL"], env, logger);
  const sql = deps.sql ??
    (settings.missing.length ? null : createSql(settings.get("SUPABASE_DB_URL")));
  const auth: VerifyOptions = {
    config: loadAuthConfig(env),
    functionName,
    logger,
    ...deps.auth,
  };
  return withAuth((req, ctx) => {
    if (sql === null) return misconfigured(functionName, settings.missing, logger);
    const options = {
      ...deps.sync,
      job,
      sql,
      fetch: deps.fetch,
      now: deps.now,
      logger,
      functionName,
    };
    return handleSyncRequest(req, ctx, options);
  }, auth);
}
