/**
 * check-sla-breaches: called by pg_cron every 5 minutes (service callers only;
 * any user token, even an integration admin's, gets 403). Records new SLA
 * breaches and answers with counts per organisation.
 *
 * @module
 */
import { loadAuthConfig, type VerifyOptions, withAuth } from "../_shared/auth-guard.ts";
import { createSql, type Sql } from "../_shared/db.ts";
import { json } from "../_shared/http.ts";
import { log, type Logger } from "../_shared/log.ts";
import { type Env, misconfigured, readSettings } from "../_shared/settings.ts";
import { recordSlaBreaches } from "../_shared/sla.ts";

const FUNCTION_NAME = "check-sla-breaches";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What check-sla-breaches depends on; every field has a production default. */
export interface CheckSlaBreachesDeps {
  /** Settings. Default `Deno.env`. */
  env: Env;
  /** Pool. Default `createSql(SUPABASE_DB_URL)`. */
  sql: Sql;
  /** Clock of the check. Default `() => new Date()` (the guard uses `auth.now`). */
  now: () => Date;
  /** Default: the console JSON logger. */
  logger: Logger;
  /** Extra guard options; `allowUserTokens` is always false here. */
  auth: VerifyOptions;
}

/**
 * Builds the handler: settings and pool once, then per request the guard
 * (service callers only) and one set-based check. A service caller that names
 * `org_id` (query or body) checks that organisation only.
 *
 * @param deps replacements for tests; see {@linkcode CheckSlaBreachesDeps}.
 * @returns a `Deno.serve` handler.
 * @example
 * const handler = createHandler({ sql, env });
 * const res = await handler(new Request(url, { method: "POST", headers, body: "{}" }));
 */
export function createHandler(
  deps: Partial<CheckSlaBreachesDeps> = {},
): (req: Request) => Promise<Response> {
  const env = deps.env ?? Deno.env;
  const logger = deps.logger ?? log;
  const now = deps.now ?? (() => new Date());
  const needed = deps.sql === undefined ? ["SUPABASE_DB_URL"] : [];
  const settings = readSettings(FUNCTION_NAME, needed, env, logger);
  const sql = deps.sql ??
    (settings.missing.length === 0 ? createSql(settings.get("SUPABASE_DB_URL")) : null);
  const auth: VerifyOptions = {
    config: loadAuthConfig(env),
    functionName: FUNCTION_NAME,
    logger,
    ...deps.auth,
    allowUserTokens: false,
  };
  return withAuth(async (_req, ctx) => {
    if (sql === null) return misconfigured(FUNCTION_NAME, settings.missing, logger);
    if (ctx.orgId !== null && !UUID.test(ctx.orgId)) {
      return json({ error: "invalid_request" }, 400);
    }
    const started = Date.now();
    const report = await recordSlaBreaches(sql, { now: now(), orgId: ctx.orgId });
    logger("info", "sla_check_finished", {
      function_name: FUNCTION_NAME,
      checked_at: report.checked_at,
      org_id: ctx.orgId,
      new_breaches: report.new_breaches,
      orgs: report.orgs.length,
      duration_ms: Date.now() - started,
    });
    return json(report);
  }, auth);
}

if (import.meta.main) Deno.serve(createHandler());
