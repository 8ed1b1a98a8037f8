/**
 * odoo-crm-sync: syncs Odoo `crm.lead` (archived ones too) into `crm_leads`.
 *
 * Callers: pg_cron with the service key (every organization with an `odoo`
 * credential, or only `org_id` from the body) and an integration admin's
 * "sync now" (only the admin's organization). The guard runs first; nothing
 * touches the database, Vault or Odoo before it has passed.
 *
 * Settings: SUPABASE_DB_URL (injected by Supabase) plus the guard's
 * (SUPABASE_URL, JWT_SECRET / SUPABASE_JWKS, SUPABASE_SERVICE_ROLE_KEY, ...).
 */
import { createOdooSyncHandler, type OdooSyncDeps } from "../_shared/odoo-sync.ts";

/** What the handler uses; every field is optional in {@linkcode createHandler}. */
export type OdooCrmSyncDeps = OdooSyncDeps;

/**
 * Builds the request handler. Settings are read and the pool is built once, here.
 *
 * @param deps replacements for tests; see {@linkcode OdooSyncDeps}.
 * @returns a `Deno.serve` handler.
 * @example
 * const handler = createHandler({ env, sql, logger });
 * const res = await handler(new Request("http://x/", { method: "POST", headers, body: "{}" }));
 */
export function createHandler(
  deps: Partial<OdooCrmSyncDeps> = {},
): (req: Request) => Promise<Response> {
  return createOdooSyncHandler("crm", "odoo-crm-sync", deps);
}

if (import.meta.main) Deno.serve(createHandler());
