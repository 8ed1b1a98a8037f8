/**
 * Scale bench of the Odoo sync fan-out (issue 14) through the real local path:
 * the cron job's command run by hand, the real pg_net (its worker sends
 * batches of up to 200, 1 s apart), the gateway and odoo-crm-sync.
 *   ./dev bench fanout                          # 1,000 organizations (~10 min)
 *   FANOUT_BENCH_ORGS=100 ./dev bench fanout
 * Not part of `./dev test` nor of plain `./dev bench` (its name does not end in _bench.ts).
 *
 * Every organization has its own fake Odoo (one lead) behind a proxy that adds
 * 150 ms to every call. Two designs in the same run, same organizations:
 * - old: one service call without org_id (every organization in turn, 100 s
 *   deadline, starvation fixed), repeated back to back until every
 *   organization was synced once (the old cron job ran it every 15 minutes);
 * - new: `select public.dispatch_odoo_sync('crm')` every 60 s, functions
 *   dispatching the next organization themselves, bound max_in_flight.
 * Reports time until every organization was synced once and peak database
 * connections (client backends in pg_stat_activity, sampled every 200 ms).
 */
import { startLocalStack } from "../supabase/local/stack.ts";
import { makeLeads, startOdooServer } from "../supabase/local/odoo.ts";
import type { Sql } from "../supabase/functions/_shared/db.ts";

const ORGS = Number(Deno.env.get("FANOUT_BENCH_ORGS") ?? 1000);
const LATENCY_MS = 150;
const TICK_MS = 60_000;
const LIMIT_MS = 20 * 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = (level: string, event: string, fields?: Record<string, unknown>) => {
  if (level === "error") console.error(JSON.stringify({ event, ...fields }).slice(0, 300));
};

/** One fake Odoo per organization, all behind one proxy that adds LATENCY_MS per call. */
function startOdoos(n: number) {
  const servers = Array.from({ length: n }, (_, i) =>
    startOdooServer({
      db: "bench",
      users: [{ login: "bench", apiKey: `key-${i}`, uid: 2 }],
      records: { "crm.lead": makeLeads(1, { start: new Date("2024-01-01T00:00:00Z") }) },
    }));
  const proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const m = new URL(req.url).pathname.match(/^\/o\/(\d+)(\/.*)$/);
    if (!m) return new Response("no such odoo", { status: 404 });
    await sleep(LATENCY_MS);
    const res = await fetch(servers[Number(m[1])].url + m[2], {
      method: req.method,
      headers: req.headers,
      body: await req.arrayBuffer(),
    });
    return new Response(await res.arrayBuffer(), { status: res.status, headers: res.headers });
  });
  const url = (i: number) => `http://127.0.0.1:${proxy.addr.port}/o/${i}`;
  const close = async () => {
    await proxy.shutdown();
    await Promise.all(servers.map((s) => s.close()));
  };
  return { url, close };
}

/** Samples client connections every 200 ms until stopped; returns the peak. */
function connectionSampler(sql: Sql) {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const [{ n }] = await sql`select count(*)::int as n from pg_stat_activity
        where backend_type = 'client backend'`;
      peak = Math.max(peak, n);
      await sleep(200);
    }
  })();
  return async () => {
    running = false;
    await loop;
    return peak;
  };
}

async function waitAllSynced(count: () => Promise<number>, startedAt: number) {
  while (performance.now() - startedAt < LIMIT_MS) {
    if (await count() >= ORGS) return (performance.now() - startedAt) / 1000;
    await sleep(250);
  }
  throw new Error(`not every organization synced within ${LIMIT_MS / 60_000} min`);
}

async function resetSyncData(sql: Sql) {
  await sql`truncate public.crm_leads, public.sync_cursors, public.sync_runs,
    public.sync_org_state cascade`;
  await sql`delete from net._http_response`;
}

/** Old design: one all-org call after another (each queued through pg_net, like the old cron job). */
async function runOld(sql: Sql) {
  const stopSampler = connectionSampler(sql);
  const t0 = performance.now();
  const runs: { seconds: number; orgs: number }[] = [];
  let allAt: number | null = null;
  const synced = async () => {
    const [{ n }] = await sql`select count(*)::int as n from public.sync_cursors
      where job = 'crm'`;
    if (n >= ORGS && allAt === null) allAt = (performance.now() - t0) / 1000;
    return n;
  };
  for (let slot = 0; await synced() < ORGS; slot++) {
    const before = await synced();
    const start = performance.now();
    const scheduled = new Date(Date.parse("2026-01-01T00:00:00Z") + slot * 15 * 60_000);
    const [{ id }] = await sql`select net.http_post(
      url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url')
        || '/functions/v1/odoo-crm-sync',
      headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization',
        'Bearer ' || (select decrypted_secret from vault.decrypted_secrets
          where name = 'service_role_key')),
      body := jsonb_build_object('mode', 'incremental', 'scheduled_for', ${scheduled}::timestamptz),
      timeout_milliseconds := 120000) as id`;
    // The last run syncs the remaining organizations first, then others again until its deadline.
    while ((await sql`select 1 from net._http_response where id = ${id}`).length === 0) {
      await synced();
      await sleep(250);
    }
    runs.push({ seconds: (performance.now() - start) / 1000, orgs: (await synced()) - before });
    if (performance.now() - t0 > LIMIT_MS) throw new Error("old design: over the time limit");
  }
  const runsSeconds = (performance.now() - t0) / 1000;
  return { seconds: allAt ?? runsSeconds, runsSeconds, runs, peak: await stopSampler() };
}

/** New design: the cron command by hand every minute; functions keep the bound full. */
async function runNew(sql: Sql) {
  const [{ bound }] = await sql`select max_in_flight as bound from public.sync_dispatch_settings
    where job = 'crm'`;
  const stopSampler = connectionSampler(sql);
  const t0 = performance.now();
  let ticks = 0;
  let done = false;
  const ticking = (async () => {
    while (!done) {
      await sql`select public.dispatch_odoo_sync('crm')`;
      ticks++;
      const next = performance.now() + TICK_MS;
      while (!done && performance.now() < next) await sleep(100);
    }
  })();
  const count = async () =>
    (await sql`select count(*)::int as n from public.sync_org_state
      where job = 'crm' and last_success_at is not null`)[0].n;
  const seconds = await waitAllSynced(count, t0);
  done = true;
  await ticking;
  const [calls] = await sql`select count(*)::int as runs,
    percentile_cont(0.5) within group (order by extract(epoch from finished_at - started_at))
      as p50,
    percentile_cont(0.95) within group (order by extract(epoch from finished_at - started_at))
      as p95
    from public.sync_runs where org_id is not null and finished_at is not null`;
  return { seconds, ticks, bound, calls, peak: await stopSampler() };
}

async function main() {
  const odoos = startOdoos(ORGS);
  const stack = await startLocalStack({
    apiPort: 0,
    dbPort: 0,
    pauseCron: true,
    stateDir: null,
    seed: { odooCredential: false, bot: false, slaPolicy: false },
    logger: quiet,
  });
  const { sql } = stack;
  try {
    for (let i = 0; i < ORGS; i++) {
      const [{ id }] = await sql`insert into public.organizations (name)
        values (${`Bench ${i}`}) returning id`;
      await sql`select public.upsert_integration_credential(${id}::uuid, 'odoo', ${`key-${i}`},
        ${odoos.url(i)}, 'bench', 'bench')`;
    }
    console.log(`${ORGS} organizations, ${LATENCY_MS} ms added per Odoo call`);
    const old = await runOld(sql);
    console.log(JSON.stringify({ design: "old", ...old }));
    await resetSyncData(sql);
    const fresh = await runNew(sql);
    console.log(JSON.stringify({ design: "new", ...fresh }));
    const full = old.runs.length > 1 ? old.runs.slice(0, -1) : old.runs;
    const perOrgOld = full.reduce((s, r) => s + r.seconds, 0) /
      full.reduce((s, r) => s + r.orgs, 0);
    const throughput = ORGS / fresh.seconds;
    console.log(JSON.stringify({
      ratio_time_old_over_new: Number((old.seconds / fresh.seconds).toFixed(1)),
      old_runs: old.runs.length,
      old_by_schedule_minutes: Number(
        ((old.runs.length - 1) * 15 + (old.seconds - (old.runsSeconds - old.runs.at(-1)!.seconds)) /
            60).toFixed(1),
      ),
      old_seconds_per_org: Number(perOrgOld.toFixed(3)),
      new_orgs_per_second: Number(throughput.toFixed(2)),
      new_10k_seconds_at_same_rate: Math.round(10_000 / throughput),
      peak_connections_old: old.peak,
      peak_connections_new: fresh.peak,
    }));
  } finally {
    await stack.stop();
    await odoos.close();
  }
}

if (import.meta.main) await main();
