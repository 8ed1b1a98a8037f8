/**
 * check-sla-breaches: called by pg_cron every 5 minutes (service callers only;
 * any user token, even an integration admin's, gets 403). Records new SLA
 * breaches and answers with counts per organisation.
 *
 * @module
 */
import { withAuth } from "../_shared/auth-guard.ts";
import { type FunctionDeps, setupFunction, withColdStartLog } from "../_shared/startup.ts";
import { errorJson, isUuid, json } from "../_shared/http.ts";
import { misconfigured } from "../_shared/settings.ts";
import { recordSlaBreaches } from "../_shared/sla.ts";

const FUNCTION_NAME = "check-sla-breaches";

/**
 * What check-sla-breaches depends on (see {@linkcode FunctionDeps} for the
 * defaults; no `fetch`): `now` is the clock of the check, and
 * `auth.allowUserTokens` is always false here.
 */
export type CheckSlaBreachesDeps = Omit<FunctionDeps, "fetch">;

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
  const { sql, missing, now, logger, auth } = setupFunction(FUNCTION_NAME, {
    deps,
    forcedAuth: { allowUserTokens: false },
  });
  return withColdStartLog(
    FUNCTION_NAME,
    withAuth(async (_req, ctx) => {
      if (sql === null) return misconfigured(FUNCTION_NAME, missing, logger);
      if (ctx.orgId !== null && !isUuid(ctx.orgId)) {
        return errorJson("invalid_request");
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
    }, auth),
    { logger: logger },
  );
}

if (import.meta.main) Deno.serve(createHandler());
