/**
 * Scale bench of the Odoo sync on Supabase Queues (issue 26) through the real
 * local path: `public.tick_odoo_sync('crm')` every 60 s (the cron job's
 * command, run by hand), the real pg_net (its worker sends batches of up to
 * 200, 1 s apart), the gateway, the guard and odoo-crm-sync, whose workers
 * answer 202 and pull organizations from the pgmq queue in the background.
 *   ./dev bench fanout                          # 1,000 organizations
 *   FANOUT_BENCH_ORGS=100 ./dev bench fanout    # FANOUT_BENCH_WORKERS=20 (max_workers)
 * Not part of `./dev test` nor of plain `./dev bench` (its name does not end in _bench.ts).
 *
 * Every organization has its own Odoo user and key (250 per fake Odoo server,
 * one lead) behind a proxy that adds 150 ms to every call. Three passes over the same organizations: the first
 * sync of everyone (8 Odoo calls each), a steady pass (every organization due
 * again; 5 calls), and a steady pass with one dead Odoo (its calls hang). Each
 * reports the time until every organization was synced, per-organization run
 * time (p50/p95), peak live workers, peak database connections and CPU busy.
 */
import { startLocalStack } from "../supabase/local/stack.ts";
import { makeLeads, startOdooServer } from "../supabase/local/odoo.ts";
import type { Sql } from "../supabase/functions/_shared/db.ts";

const ORGS = Number(Deno.env.get("FANOUT_BENCH_ORGS") ?? 1000);
const WORKERS = Number(Deno.env.get("FANOUT_BENCH_WORKERS") ?? 20);
const LATENCY_MS = 150;
const TICK_MS = 60_000;
const LIMIT_MS = 20 * 60_000;
let deadOrg = -1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = (level: string, event: string, fields?: Record<string, unknown>) => {
  if (level === "error") console.error(JSON.stringify({ event, ...fields }).slice(0, 300));
};

/**
 * The organizations' fake Odoos behind one proxy that adds LATENCY_MS per call.
 * Each organization has its own Odoo user and key; 250 share one server (one
 * listener per organization exhausted the file descriptors at 10,000).
 */
function startOdoos(n: number) {
  const PER = 250;
  const servers = Array.from({ length: Math.ceil(n / PER) }, (_, s) =>
    startOdooServer({
      db: "bench",
      users: Array.from({ length: Math.min(PER, n - s * PER) }, (_, j) => ({
        login: `bench-${s * PER + j}`,
        apiKey: `key-${s * PER + j}`,
        uid: 2 + j,
      })),
      records: { "crm.lead": makeLeads(1, { start: new Date("2024-01-01T00:00:00Z") }) },
    }));
  const proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const m = new URL(req.url).pathname.match(/^\/o\/(\d+)(\/.*)$/);
    if (!m) return new Response("no such odoo", { status: 404 });
    await sleep(Number(m[1]) === deadOrg ? 120_000 : LATENCY_MS);
    const res = await fetch(servers[Math.floor(Number(m[1]) / 250)].url + m[2], {
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

/** Samples connections, live workers and CPU every 200 ms until stopped; returns the peaks. */
function sampler(sql: Sql) {
  let connections = 0;
  let workers = 0;
  let running = true;
  const cpu = () => {
    const [, ...f] = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/);
    const n = f.map(Number);
    return { idle: n[3] + n[4], total: n.reduce((a, b) => a + b, 0) };
  };
  const c0 = cpu();
  const loop = (async () => {
    while (running) {
      const [r] = await sql`select
        (select count(*)::int from pg_stat_activity where backend_type = 'client backend') as c,
        (select count(*)::int from public.sync_workers where stopped_at is null
          and lease_until > now() and started_at is not null) as w`;
      connections = Math.max(connections, r.c);
      workers = Math.max(workers, r.w);
      await sleep(200);
    }
  })();
  return async () => {
    running = false;
    await loop;
    const c1 = cpu();
    const busy = 1 - (c1.idle - c0.idle) / Math.max(c1.total - c0.total, 1);
    return {
      peak_connections: connections,
      peak_workers: workers,
      cpu_busy: Number(busy.toFixed(2)),
    };
  };
}

async function waitAllSynced(count: () => Promise<number>, startedAt: number, target: number) {
  while (performance.now() - startedAt < LIMIT_MS) {
    if (await count() >= target) return (performance.now() - startedAt) / 1000;
    await sleep(250);
  }
  throw new Error(`not every organization synced within ${LIMIT_MS / 60_000} min`);
}

/** One pass: every organization due now; ticks every 60 s until all are synced after `since`. */
async function pass(sql: Sql, name: string, target: number) {
  const [{ since }] = await sql`select now() as since`;
  await sql`update public.sync_org_state set next_due_at = now() where job = 'crm'`;
  const stop = sampler(sql);
  const t0 = performance.now();
  let ticks = 0;
  let done = false;
  const ticking = (async () => {
    while (!done) {
      await sql`select public.tick_odoo_sync('crm')`;
      ticks++;
      const next = performance.now() + TICK_MS;
      while (!done && performance.now() < next) await sleep(100);
    }
  })();
  const count = async () =>
    (await sql`select count(*)::int as n from public.sync_org_state
      where job = 'crm' and last_success_at > ${since}`)[0].n;
  const seconds = await waitAllSynced(count, t0, target);
  done = true;
  await ticking;
  const [runs] = await sql`select count(*)::int as runs,
    percentile_cont(0.5) within group (order by extract(epoch from finished_at - started_at)) as p50,
    percentile_cont(0.95) within group (order by extract(epoch from finished_at - started_at)) as p95
    from public.sync_runs where org_id is not null and status = 'succeeded' and started_at >= ${since}`;
  const peaks = await stop();
  const result = {
    pass: name,
    orgs: target,
    seconds: Number(seconds.toFixed(1)),
    orgs_per_second: Number((target / seconds).toFixed(2)),
    ticks,
    max_workers: WORKERS,
    run_p50_s: Number(Number(runs.p50).toFixed(3)),
    run_p95_s: Number(Number(runs.p95).toFixed(3)),
    ...peaks,
  };
  console.log(JSON.stringify(result));
  return result;
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
    const prefix = odoos.url(0).slice(0, -1);
    await sql`insert into public.organizations (name)
      select 'Bench ' || g from generate_series(0, ${ORGS - 1}) g`;
    await sql`select public.upsert_integration_credential(o.id, 'odoo', 'key-' || i,
        ${prefix} || i, 'bench', 'bench-' || i)
      from (select id, split_part(name, ' ', 2)::int as i from public.organizations
        where name like 'Bench %') o`;
    await sql`update public.sync_queue_settings set max_workers = ${WORKERS} where job = 'crm'`;
    await sql`update public.sync_queue_settings set max_workers = 0 where job = 'chatter'`;
    console.log(
      `${ORGS} organizations, ${LATENCY_MS} ms added per Odoo call, max_workers ${WORKERS}`,
    );
    const first = await pass(sql, "first sync", ORGS);
    const steady = await pass(sql, "steady", ORGS);
    deadOrg = 0;
    const dead = await pass(sql, "steady, one dead Odoo", ORGS - 1);
    console.log(JSON.stringify({
      first_10k_seconds_at_same_rate: Math.round(10_000 / first.orgs_per_second),
      steady_10k_seconds_at_same_rate: Math.round(10_000 / steady.orgs_per_second),
      dead_odoo_slowdown: Number((dead.seconds / steady.seconds).toFixed(2)),
    }));
  } finally {
    await stack.stop();
    await odoos.close();
  }
}

if (import.meta.main) await main();
