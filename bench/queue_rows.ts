/**
 * The sync queue at 100,000 organizations by generated rows (issue 26): tick
 * cost (nothing due; a steady minute's share due), the due selection's plan,
 * a watchdog pass, a prune pass, and a day's table growth after retention
 * (bytes per row measured here, rows per day computed from the schedule).
 *   ./dev bench queue                       # 100,000 organizations (~2 min)
 *   QUEUE_BENCH_ORGS=10000 ./dev bench queue
 * Runs in its own throwaway PostgreSQL 15 with every migration applied.
 * Not part of `./dev test` nor of plain `./dev bench` (its name does not end in _bench.ts).
 */
import postgres from "postgres";
import { startCluster } from "../supabase/local/cluster.ts";
import { applyLocalStack } from "../supabase/local/apply.ts";

const ORGS = Number(Deno.env.get("QUEUE_BENCH_ORGS") ?? 100_000);
const RUNS = 5;

type Sql = postgres.Sql;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(sql: Sql, query: string, before?: string): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    if (before) await sql.unsafe(before);
    const t = performance.now();
    await sql.unsafe(query);
    ms.push(performance.now() - t);
  }
  return Math.round(median(ms) * 10) / 10;
}

/** 100,000 organizations with credentials (enrolled by the trigger), states spread over the period. */
async function generate(sql: Sql) {
  await sql.unsafe(`
    insert into public.organizations (id, name)
    select gen_random_uuid(), 'bench ' || g from generate_series(1, ${ORGS}) g;
    insert into public.integration_credentials (org_id, integration_type, vault_secret_id, created_at)
    select id, 'odoo', gen_random_uuid(), now() - interval '2 days' from public.organizations;
    update public.sync_org_state s set last_success_at = now() - random() * interval '15 minutes',
      last_finished_at = now() - random() * interval '15 minutes', last_status = 'succeeded',
      next_due_at = public.sync_next_slot(s.org_id, now() - interval '15 minutes', interval '15 minutes');
    -- 1 % failing, 0.1 % parked.
    update public.sync_org_state set consecutive_failures = 2, last_error = 'odoo_timeout',
      last_status = 'failed' where hashtext(org_id::text) % 100 = 0;
    update public.sync_org_state set consecutive_failures = 6, parked_at = now(),
      last_error = 'odoo_auth_failed' where hashtext(org_id::text) % 1000 = 1;`);
  await sql.unsafe("vacuum analyze public.sync_org_state");
}

/** Bytes per row of a table (heap + indexes + toast), after inserting `rows` representative rows. */
async function bytesPerRow(sql: Sql, table: string): Promise<number> {
  const [r] = await sql.unsafe(`select pg_total_relation_size('${table}')::float8 /
    greatest((select count(*) from ${table}), 1) as b`);
  return Math.round(r.b);
}

async function growth(sql: Sql) {
  await sql.unsafe(`
    insert into public.sync_runs (idempotency_key, integration, job, scheduled_for, started_at,
      finished_at, status, org_id, counts, org_results)
    select public.sync_run_key('crm', s.org_id, 'incremental', 'org', now(), 1), 'odoo', 'crm', now(),
      now(), now(), 'succeeded', s.org_id,
      '{}',
      jsonb_build_object(s.org_id::text, '{"status":"ok","fetched":3,"upserted":1,"pages":1,"deleted":0,"complete":true}'::jsonb)
    from public.sync_org_state s where s.job = 'crm';
    insert into public.sync_workers (job, woken_at, started_at, lease_until, stopped_at, claimed, request_id)
    select 'crm', now(), now(), now(), now(), 40, g from generate_series(1, 10000) g;
    insert into public.cron_http_requests (request_id, job_name, function_name)
    select -g, 'odoo-crm-sync-incremental', 'odoo-crm-sync' from generate_series(1, 10000) g;
    insert into public.edge_guard_call_outcomes (request_id, job_name, function_name, requested_at,
      status_code, responded_at)
    select -g, 'odoo-crm-sync-incremental', 'odoo-crm-sync', now(), 202, now() from generate_series(1, 10000) g;
    insert into pgmq.a_odoo_sync_crm (msg_id, vt, message)
    select g, now(), jsonb_build_object('org_id', gen_random_uuid(), 'job', 'crm', 'mode', 'incremental',
      'due_at', now(), 'period', now(), 'seq', 1, 'key', repeat('x', 90)) from generate_series(1, 10000) g;
    `);
  await sql.unsafe("analyze");
  const [s] = await sql`select r.run_retention, r.archive_retention, r.worker_retention,
    r.outcome_retention, (select max_workers from public.sync_queue_settings where job = 'crm') as w
    from public.edge_guard_settings r`;
  const perRun = await bytesPerRow(sql, "public.sync_runs");
  const perDay = {
    sync_runs: ORGS * 2 * 96,
    // At most max_workers wake-ups per job per minute (in practice far fewer: workers run 90 s).
    wakes: 2 * 1440 * s.w,
    // Failures only: 1 % of tenants failing, retried on backoff (at most ~30 per day each).
    archives: Math.round(ORGS * 2 * 0.01 * 30),
  };
  const days = (i: string) =>
    Number(String(i).match(/(\d+) day/)?.[1] ?? 0) +
    Number(String(i).match(/(\d+):/)?.[1] ?? 0) / 24;
  const steady = {
    sync_runs: perDay.sync_runs * perRun * days(s.run_retention),
    sync_workers: perDay.wakes * (await bytesPerRow(sql, "public.sync_workers")) *
      days(s.worker_retention),
    cron_http_requests: perDay.wakes * (await bytesPerRow(sql, "public.cron_http_requests")) * 7,
    call_outcomes: perDay.wakes * (await bytesPerRow(sql, "public.edge_guard_call_outcomes")) *
      days(s.outcome_retention),
    archives: perDay.archives * (await bytesPerRow(sql, "pgmq.a_odoo_sync_crm")) *
      days(s.archive_retention),
    sync_org_state: await sql.unsafe(`select pg_total_relation_size('public.sync_org_state') as b`)
      .then((r) => Number(r[0].b)),
  };
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  console.log(
    `sync_runs: ${perRun} B/row, ${perDay.sync_runs} rows/day (${
      mb(perDay.sync_runs * perRun)
    }/day)`,
  );
  for (const [k, v] of Object.entries(steady)) {
    console.log(`steady size after retention, ${k}: ${mb(v)}`);
  }
  const perDayBytes = perDay.sync_runs * perRun;
  console.log(
    `a day's growth, all tables (runs dominate): ~${mb(perDayBytes + perDay.wakes * 400)}`,
  );
}

async function main() {
  const cluster = await startCluster();
  try {
    await applyLocalStack(cluster.url);
    const sql = postgres(cluster.url, { max: 1, onnotice: () => {} });
    const t0 = performance.now();
    await generate(sql);
    console.log(`${ORGS} organizations generated in ${Math.round(performance.now() - t0)} ms`);
    await sql`update public.sync_queue_settings set max_workers = 20`;
    await sql`select vault.create_secret('http://127.0.0.1:9', 'project_url'),
      vault.create_secret('sb_secret_bench', 'service_role_key')`;
    const none = `delete from pgmq.q_odoo_sync_crm; delete from public.sync_workers;
      update public.sync_org_state set msg_id = null, next_due_at = now() + interval '1 minute'
        + random() * interval '14 minutes' where job = 'crm'`;
    console.log(
      `tick, nothing due: ${await timed(sql, "select public.tick_odoo_sync('crm')", none)} ms`,
    );
    const share = Math.round(ORGS / 15);
    const reset = `delete from pgmq.q_odoo_sync_crm; delete from public.sync_workers;
      delete from net.http_request_queue;
      update public.sync_org_state set msg_id = null, next_due_at = case when hashtext(org_id::text) % 15 = 0
        then now() - interval '1 second' else next_due_at + interval '1 hour' end where job = 'crm'`;
    const tick = await timed(sql, "select public.tick_odoo_sync('crm')", reset);
    console.log(
      `tick, a steady minute's share due (~${share}): ${tick} ms (enqueue + 20 wake-ups)`,
    );
    await sql.unsafe(reset);
    const plan = await sql.unsafe(
      `explain (analyze, buffers) select s.org_id from public.sync_org_state s
      where s.job = 'crm' and s.msg_id is null and s.next_due_at <= now() order by s.next_due_at limit 5000`,
    );
    console.log("due selection:\n  " + plan.map((r) => r["QUERY PLAN"]).join("\n  "));
    console.log(
      `watchdog findings: ${await timed(
        sql,
        "select count(*) from public.edge_guard_findings()",
      )} ms`,
    );
    console.log(`watchdog pass: ${await timed(sql, "select public.edge_guard_watchdog()")} ms`);
    await growth(sql);
    await sql`update public.edge_guard_settings set run_retention = interval '0 days'`;
    const t = performance.now();
    const [{ pruned }] = await sql`select public.edge_guard_prune() as pruned`;
    const ms = Math.round(performance.now() - t);
    console.log(
      `one prune pass (at most prune_batch rows per table): ${ms} ms, ${JSON.stringify(pruned)}`,
    );
    await sql.end();
  } finally {
    await cluster.stop();
  }
}

await main();
