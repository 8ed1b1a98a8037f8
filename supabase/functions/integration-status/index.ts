/**
 * integration-status: GET the status of the caller's organization's
 * integration jobs (see `status.ts`), for the admin page.
 *
 * Callers: any user of an organization (`app_metadata.claims.organization_id`;
 * `integration_admin` is not needed to look, and the answer says whether the
 * caller may "sync now"), only for their own organization; a service caller
 * names `org_id` in the query. The guard runs first.
 *
 * Settings: SUPABASE_DB_URL plus the guard's.
 */
import { withAuth } from "../_shared/auth-guard.ts";
import { type FunctionDeps, setupFunction } from "../_shared/startup.ts";
import { errorJson, isUuid, json } from "../_shared/http.ts";
import { readIntegrationStatus } from "./status.ts";
import { misconfigured } from "../_shared/settings.ts";

const FUNCTION_NAME = "integration-status";

/** What integration-status uses (see {@linkcode FunctionDeps}; `fetch` is unused). */
export type IntegrationStatusDeps = FunctionDeps;

/**
 * Builds the handler: settings and pool once, then per request the guard
 * (users of their own organization) and the reads of `status.ts`.
 *
 * @param deps replacements for tests; see {@linkcode FunctionDeps}.
 * @returns a `Deno.serve` handler.
 * @example
 * const handler = createHandler({ sql, env });
 * const res = await handler(new Request(url, { headers: { Authorization: `Bearer ${token}` } }));
 */
export function createHandler(
  deps: Partial<IntegrationStatusDeps> = {},
): (req: Request) => Promise<Response> {
  const { sql, missing, now, logger, auth } = setupFunction(FUNCTION_NAME, {
    deps,
    // A GET with no body: the shared request rule, with its method.
    forcedAuth: { requireIntegrationAdmin: false, methods: ["GET"], body: "any" },
  });
  return withAuth(async (_req, ctx) => {
    if (sql === null) return misconfigured(FUNCTION_NAME, missing, logger);
    if (ctx.orgId === null) {
      const error = ctx.isServiceRole ? "invalid_request" : "insufficient_permissions";
      logger("warn", "status_refused", {
        function_name: FUNCTION_NAME,
        caller_identity: ctx.userId ?? "service_role",
        reason: "no_organization",
      });
      return errorJson(error);
    }
    if (!isUuid(ctx.orgId)) return errorJson("invalid_request");
    const status = await readIntegrationStatus(ctx.orgId, { sql, now: now() });
    return json({ ...status, can_sync: ctx.isIntegrationAdmin }, 200, {
      "Cache-Control": "no-store",
    });
  }, auth);
}

if (import.meta.main) Deno.serve(createHandler());
