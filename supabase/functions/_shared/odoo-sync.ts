/**
 * Incremental, idempotent Odoo → PostgreSQL sync of `crm.lead` ("crm") and its
 * chatter `mail.message` ("chatter"), for the functions odoo-crm-sync and
 * odoo-chatter-sync: the handler both functions serve (the guard first, then
 * the sync; HTTP part in `_odoo-sync/http.ts`), and the sync itself.
 *
 * A run claims its `sync_runs` row by an idempotency key the database builds
 * (`public.sync_run_key`; a repeated period answers `already_ran` and does
 * nothing), then syncs each organization with
 * its own Vault credential: keyset pages ordered `write_date asc, id asc`, each
 * page's rows and cursor committed in one transaction. One organization's
 * failure is recorded as a fixed code and does not stop the others.
 *
 * @module
 */
import { createOdooSyncHandler, handleSyncRequest } from "./_odoo-sync/http.ts";
import { runOdooSync } from "./_odoo-sync/run.ts";

export type { OdooSyncDeps } from "./_odoo-sync/http.ts";
export type { SyncReport, SyncRequest } from "./_odoo-sync/run.ts";
export type {
  OrgResult,
  SyncCounts,
  SyncErrorCode,
  SyncJob,
  SyncMode,
  SyncOptions,
  SyncTuning,
} from "./_odoo-sync/types.ts";

/**
 * Builds the handler of one sync function (odoo-crm-sync, odoo-chatter-sync).
 * Settings are read and the pool is built once, here; a missing
 * `SUPABASE_DB_URL` is logged now and answered with 500 `server_misconfigured`
 * to every caller the guard accepts.
 *
 * @param job `"crm"` (crm.lead) or `"chatter"` (mail.message on crm.lead).
 * @param functionName used in logs.
 * @param deps replacements for tests; see `OdooSyncDeps`.
 * @returns a `Deno.serve` handler.
 * @example
 * Deno.serve(createOdooSyncHandler("crm", "odoo-crm-sync"));
 */
export { createOdooSyncHandler };

/**
 * The request handling after the guard: a worker's wake-up (202), an
 * organization's "sync now" (inline), or every organization in turn.
 *
 * @param req the request; its body was consumed by the guard.
 * @param auth the guard's context.
 * @param options see `SyncOptions`.
 * @returns the JSON response.
 * @example
 * Deno.serve(withAuth((req, auth) => handleSyncRequest(req, auth, { job: "crm", sql })));
 */
export { handleSyncRequest };

/**
 * Runs one sync. Throws only when the database itself fails; the run row is
 * then marked failed before the error is rethrown.
 *
 * @param request what to sync; see `SyncRequest`.
 * @param options job, pool and seams; see `SyncOptions`.
 * @returns the report: per-org results, or `already_ran`.
 * @example
 * const report = await runOdooSync(
 *   { mode: "incremental", scheduledFor: null },
 *   { job: "crm", sql },
 * );
 */
export { runOdooSync };
