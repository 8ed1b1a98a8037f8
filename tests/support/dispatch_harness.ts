/**
 * The fan-out path in one process: `public.dispatch_odoo_sync` (one cron
 * tick), pg_net's queue, the local delivery worker's `deliverQueued` and the
 * sync function's handler, with Vault holding a project URL that the worker's
 * `fetch` routes to the handler. Clocks are fixed per tick so a test never
 * straddles a 15-minute period.
 */
import { deliverQueued } from "../../supabase/local/pg_net_worker.ts";
import { createHandler } from "../../supabase/functions/odoo-crm-sync/index.ts";
import type { Sql } from "./db.ts";
import { type SyncOrgSpec, syncWorld } from "./odoo_sync_harness.ts";
import { TEST_SERVICE_ROLE_KEY } from "./tokens.ts";

const PROJECT_URL = "http://project.local.test";

/** Sets the Vault secrets the dispatcher reads and empties pg_net's queue and responses. */
export async function prepareDispatch(sql: Sql, maxInFlight: number): Promise<void> {
  await sql`delete from vault.secrets where name in ('project_url', 'service_role_key')`;
  await sql`select vault.create_secret(${PROJECT_URL}, 'project_url')`;
  await sql`select vault.create_secret(${TEST_SERVICE_ROLE_KEY}, 'service_role_key')`;
  await sql`delete from net.http_request_queue`;
  await sql`delete from net._http_response`;
  await sql`update public.sync_dispatch_settings set max_in_flight = ${maxInFlight}`;
}

/**
 * A world of organizations (see `syncWorld`) plus `tick(at)` (one dispatcher
 * call for crm at `at`) and `deliver(at)` (pg_net delivers what is queued to
 * the crm function whose clock reads `at`; it calls the dispatcher itself
 * after each organization only with `dispatchNext`, since that call uses the
 * database clock).
 */
export async function dispatchWorld(specs: SyncOrgSpec[], o: { maxInFlight: number }) {
  const w = await syncWorld(specs, { createHandler });
  await prepareDispatch(w.sql, o.maxInFlight);
  const tick = async (at: Date): Promise<number> =>
    (await w.sql`select public.dispatch_odoo_sync('crm', ${at}) as n`)[0].n;
  const deliver = (at: Date, o: { dispatchNext?: boolean } = {}): Promise<number> => {
    const handler = w.handler({
      now: () => at,
      sync: { dispatchNext: o.dispatchNext ?? false, odoo: { retries: 0 } },
    });
    const route: typeof fetch = (input, init) => handler(new Request(input, init));
    return deliverQueued(w.sql, { fetch: route, now: () => at });
  };
  const inFlight = async (): Promise<number> =>
    (await w.sql`select public.sync_in_flight('crm') as n`)[0].n;
  const succeeded = async (): Promise<Map<string, number>> => {
    const rows = await w.sql`select org_id::text, count(*)::int as n from public.sync_runs
      where org_id is not null and status = 'succeeded' group by org_id`;
    return new Map(rows.map((r) => [r.org_id, r.n]));
  };
  const state = async (orgId: string) =>
    (await w.sql`select * from public.sync_org_state where org_id = ${orgId} and job = 'crm'`)[0];
  const dispose = async () => {
    await w.sql`update public.sync_dispatch_settings set max_in_flight = 20`;
    await w[Symbol.asyncDispose]();
  };
  return { ...w, tick, deliver, inFlight, succeeded, state, [Symbol.asyncDispose]: dispose };
}
