/**
 * The fan-out path in one process: `public.dispatch_odoo_sync` (one cron
 * tick), the real pg_net (it sends from inside PostgreSQL, see ./pg_net.ts)
 * and the sync function's handler behind a server on 127.0.0.1 whose URL is
 * the project URL in Vault. Clocks are fixed per delivery so a test never
 * straddles a 15-minute period.
 *
 * The server holds every request that arrives outside `deliver(at)` (pg_net
 * keeps it in flight, its queue row still visible), and answers the held and
 * new ones with the handler at `at` while `deliver` runs: what the test does
 * between ticks happens while nothing is delivered, as before with a worker
 * the test drove.
 */
import { createHandler } from "../../supabase/functions/odoo-crm-sync/index.ts";
import type { Sql } from "./db.ts";
import { type SyncOrgSpec, syncWorld } from "./odoo_sync_harness.ts";
import { awaitPgNet } from "./pg_net.ts";
import { TEST_SERVICE_ROLE_KEY } from "./tokens.ts";

/** Sets the Vault secrets the dispatcher reads and empties pg_net's queue and responses. */
export async function prepareDispatch(
  sql: Sql,
  maxInFlight: number,
  projectUrl: string,
): Promise<void> {
  await sql`delete from vault.secrets where name in ('project_url', 'service_role_key')`;
  await sql`select vault.create_secret(${projectUrl}, 'project_url')`;
  await sql`select vault.create_secret(${TEST_SERVICE_ROLE_KEY}, 'service_role_key')`;
  await sql`delete from net.http_request_queue`;
  await sql`delete from net._http_response`;
  await sql`update public.sync_dispatch_settings set max_in_flight = ${maxInFlight},
    request_timeout_ms = 120000`;
}

type Handle = (req: Request) => Promise<Response>;

const SYNC_PATH = "/functions/v1/odoo-crm-sync";

/** A server on 127.0.0.1 that holds requests until a handler is set. */
function gatedServer() {
  let handle: Handle | undefined;
  const held: (() => void)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    // pg_cron's own jobs call this project URL too: answer them at once, never hold them.
    if (new URL(req.url).pathname !== SYNC_PATH) return new Response(null, { status: 404 });
    if (handle) return handle(req);
    // Released by the next `open`; if pg_net gave up meanwhile (its timeout), the answer is dropped.
    return new Promise<Response>((resolve) => {
      held.push(() => resolve(handle ? handle(req) : new Response(null, { status: 503 })));
    });
  });
  const open = (h: Handle | undefined) => {
    handle = h;
    for (const release of held.splice(0)) release();
  };
  return { url: `http://127.0.0.1:${server.addr.port}`, open, close: () => server.shutdown() };
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
  const server = gatedServer();
  await prepareDispatch(w.sql, o.maxInFlight, server.url);
  const tick = async (at: Date): Promise<number> =>
    (await w.sql`select public.dispatch_odoo_sync('crm', ${at}) as n`)[0].n;
  const deliver = async (at: Date, o: { dispatchNext?: boolean } = {}): Promise<number> => {
    const handler = w.handler({
      now: () => at,
      sync: { dispatchNext: o.dispatchNext ?? false, odoo: { retries: 0 } },
    });
    server.open((req) => handler(req));
    try {
      return (await awaitPgNet(w.sql)).length;
    } finally {
      server.open(undefined);
    }
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
    // Answer whatever pg_net still has in flight (503, no handler) so its worker is free.
    server.open(() => Promise.resolve(new Response(null, { status: 503 })));
    await awaitPgNet(w.sql).catch(() => {});
    await server.close();
    await w.sql`update public.sync_dispatch_settings set max_in_flight = 20,
      request_timeout_ms = 120000`;
    await w[Symbol.asyncDispose]();
  };
  return { ...w, tick, deliver, inFlight, succeeded, state, [Symbol.asyncDispose]: dispose };
}
