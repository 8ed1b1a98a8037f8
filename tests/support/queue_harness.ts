/**
 * The sync queue in one process: `public.tick_odoo_sync('crm')` (one cron
 * tick), then each worker the tick leased is woken by calling the crm
 * function's handler with the body the tick gives pg_net (`{"worker_id"}`,
 * checked against pg_net's queue in supabase/tests/05_cron.test.sql), with a
 * fake `waitUntil` that collects the background work. Time is the database's.
 */
import { createHandler } from "../../supabase/functions/odoo-crm-sync/index.ts";
import type { OdooSyncDeps } from "../../supabase/functions/_shared/odoo-sync.ts";
import { type SyncOrgSpec, syncWorld } from "./odoo_sync_harness.ts";
import { TEST_SERVICE_ROLE_KEY } from "./tokens.ts";

/** Queue settings of the crm job for one test (restored on dispose). */
export interface QueueSettings {
  maxWorkers: number;
  orgDeadlineSeconds?: number;
}

const DEFAULTS = { max_workers: 20, org_deadline_seconds: 40 };

/**
 * A world of organizations (see `syncWorld`) with an empty crm queue plus
 * `tick()`, `wake(deps)` (answers of every woken worker; their background work
 * is awaited by `settle()`), `state(orgId)` and `workers()`.
 */
export async function queueWorld(specs: SyncOrgSpec[], o: QueueSettings) {
  const w = await syncWorld(specs, { createHandler });
  await w.sql`delete from vault.secrets where name in ('project_url', 'service_role_key')`;
  await w.sql`select vault.create_secret('http://project.local.test', 'project_url')`;
  await w.sql`select vault.create_secret(${TEST_SERVICE_ROLE_KEY}, 'service_role_key')`;
  await w.sql`delete from public.sync_workers`;
  await w.sql`delete from pgmq.q_odoo_sync_crm`;
  await w.sql`update public.sync_queue_settings set max_workers = ${o.maxWorkers},
    org_deadline_seconds = ${o.orgDeadlineSeconds ?? 40} where job = 'crm'`;
  const background: Promise<unknown>[] = [];
  const tick = async (): Promise<{ enqueued: number; woken: number; live: number }> =>
    (await w.sql`select public.tick_odoo_sync('crm') as r`)[0].r;
  const post = (body: Record<string, unknown>) =>
    new Request("http://project.local.test/functions/v1/odoo-crm-sync", {
      method: "POST",
      headers: {
        Authorization: `Bearer ${TEST_SERVICE_ROLE_KEY}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify(body),
    });
  /** Calls the handler once per worker the tick woke and nobody started yet. */
  const wake = async (deps: Partial<OdooSyncDeps> = {}): Promise<Response[]> => {
    const handler = w.handler({
      waitUntil: (p) => background.push(p),
      sync: { odoo: { retries: 0 } },
      ...deps,
    });
    const woken = await w.sql`select id::int from public.sync_workers
      where started_at is null and stopped_at is null order by id`;
    return await Promise.all(woken.map((r) => handler(post({ worker_id: r.id }))));
  };
  const settle = () => Promise.all(background.splice(0));
  const state = async (orgId: string) =>
    (await w.sql`select *, now() as db_now from public.sync_org_state
      where org_id = ${orgId} and job = 'crm'`)[0];
  const synced = async (): Promise<number> =>
    (await w.sql`select count(*)::int as n from public.sync_org_state
      where job = 'crm' and last_success_at is not null`)[0].n;
  const dispose = async () => {
    await settle();
    await w.sql`update public.sync_queue_settings set max_workers = ${DEFAULTS.max_workers},
      org_deadline_seconds = ${DEFAULTS.org_deadline_seconds} where job = 'crm'`;
    await w.sql`delete from public.sync_workers`;
    await w[Symbol.asyncDispose]();
  };
  return {
    ...w,
    tick,
    wake,
    settle,
    state,
    synced,
    post,
    [Symbol.asyncDispose]: dispose,
  };
}
