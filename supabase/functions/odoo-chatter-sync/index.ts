/**
 * odoo-chatter-sync: syncs the chatter of Odoo leads (`mail.message` with
 * model `crm.lead`) into `crm_lead_messages`.
 *
 * Callers: pg_cron with the service key (every organization with an `odoo`
 * credential, or only `org_id` from the body) and an integration admin's
 * "sync now" (only the admin's organization). The guard runs first; nothing
 * touches the database, Vault or Odoo before it has passed.
 *
 * Settings: SUPABASE_DB_URL (injected by Supabase) plus the guard's
 * (SUPABASE_URL, JWT_SECRET / SUPABASE_JWKS, SUPABASE_SERVICE_ROLE_KEY, ...).
 */
import { loadAuthConfig, type VerifyOptions, withAuth } from "../_shared/auth-guard.ts";
import { createSql, type Sql } from "../_shared/db.ts";
import { corsHeaders } from "../_shared/http.ts";
import { log, type Logger } from "../_shared/log.ts";
import { handleSyncRequest, type SyncTuning } from "../_shared/odoo-sync.ts";
import { type Env, misconfigured, readSettings } from "../_shared/settings.ts";

const FUNCTION_NAME = "odoo-chatter-sync";

/** What the handler uses; every field is optional in {@linkcode createHandler}. */
export interface OdooChatterSyncDeps {
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
 * Builds the request handler. Settings are read and the pool is built once, here.
 *
 * @param deps replacements for tests; see {@linkcode OdooChatterSyncDeps}.
 * @returns a `Deno.serve` handler.
 * @example
 * const handler = createHandler({ env, sql, logger });
 * const res = await handler(new Request("http://x/", { method: "POST", headers, body: "{}" }));
 */
export function createHandler(
  deps: Partial<OdooChatterSyncDeps> = {},
): (req: Request) => Promise<Response> {
  const env = deps.env ?? Deno.env;
  const logger = deps.logger ?? log;
  const settings = readSettings(FUNCTION_NAME, deps.sql ? [] : ["SUPABASE_DB_URL"], env, logger);
  if (settings.missing.length > 0) {
    return (req) => {
      if (req.method === "OPTIONS") {
        return Promise.resolve(new Response(null, { status: 204, headers: corsHeaders }));
      }
      const res = misconfigured(FUNCTION_NAME, settings.missing, logger);
      for (const [name, value] of Object.entries(corsHeaders)) res.headers.set(name, value);
      return Promise.resolve(res);
    };
  }
  const sql = deps.sql ?? createSql(settings.get("SUPABASE_DB_URL"));
  const auth: VerifyOptions = {
    config: loadAuthConfig(env),
    functionName: FUNCTION_NAME,
    logger,
    ...deps.auth,
  };
  const options = {
    ...deps.sync,
    job: "chatter" as const,
    sql,
    fetch: deps.fetch,
    now: deps.now,
    logger,
    functionName: FUNCTION_NAME,
  };
  return withAuth((req, ctx) => handleSyncRequest(req, ctx, options), auth);
}

if (import.meta.main) Deno.serve(createHandler());
