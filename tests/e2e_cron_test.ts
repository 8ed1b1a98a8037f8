/**
 * End to end, the real cron path: the `odoo-crm-sync-incremental` job's own
 * command, run as pg_cron runs it, ticks the sync queue, which enqueues the
 * organization and queues a pg_net wake-up; the real pg_net (a PostgreSQL
 * background worker) sends it through the gateway and the guard into
 * odoo-crm-sync, which answers 202 and in the background claims the
 * organization, reads Odoo and writes the database. Then the incident: the same job rescheduled the
 * old way, with the anon key in its command, gets 401 and syncs nothing.
 *
 * Starts its own local stack on free ports (cron paused, so the test drives
 * the job) and stops it.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { startLocalStack } from "../supabase/local/stack.ts";
import { createLogger } from "../supabase/functions/_shared/log.ts";
import { captureLogs, recordLogLine } from "./support/guard_harness.ts";
import type { Sql } from "../supabase/functions/_shared/db.ts";

const JOB = "odoo-crm-sync-incremental";

interface CronJob {
  jobid: string;
  command: string;
  username: string;
  database: string;
  active: boolean;
}

interface HttpResponse {
  id: string;
  status_code: number | null;
  content: string | null;
  error_msg: string | null;
}

async function cronJob(sql: Sql): Promise<CronJob> {
  const rows = await sql<CronJob[]>`
    select jobid::text, command, username::text, database::text, active
    from cron.job where jobname = ${JOB}`;
  assert.equal(rows.length, 1, `exactly one ${JOB} job`);
  return rows[0];
}

/**
 * Runs the job's command the way pg_cron does (a session of the job's user in
 * the job's database) and waits for the one pg_net response it caused.
 */
async function runLikePgCron(dbUrl: string, sql: Sql, job: CronJob): Promise<HttpResponse> {
  const [mark] = await sql<{ last: string }[]>`
    select case when is_called then last_value else 0 end::text as last
    from net.http_request_queue_id_seq`;
  const url = new URL(dbUrl);
  url.username = job.username;
  url.pathname = `/${job.database}`;
  const session = postgres(url.href, { max: 1, onnotice: () => {} });
  try {
    await session.unsafe(job.command);
  } finally {
    await session.end();
  }
  for (let waited = 0; waited < 30_000; waited += 100) {
    const rows = await sql<HttpResponse[]>`
      select id::text, status_code, content, error_msg from net._http_response
      where id > ${mark.last}::bigint order by id`;
    if (rows.length > 0) {
      assert.equal(rows.length, 1, "one request per job run");
      return rows[0];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no pg_net response within 30 s");
}

/** Waits until the queue worker finished a run (it works after its 202 answer). */
async function finishedRun(sql: Sql): Promise<void> {
  for (let waited = 0; waited < 30_000; waited += 100) {
    const [{ n }] =
      await sql`select count(*)::int as n from public.sync_runs where status <> 'running'`;
    if (n > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no finished sync run within 30 s");
}

async function counts(sql: Sql, orgId: string) {
  const [row] = await sql<{ leads: number; runs: number }[]>`
    select (select count(*)::int from public.crm_leads where org_id = ${orgId}::uuid) as leads,
      (select count(*)::int from public.sync_runs) as runs`;
  return row;
}

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

Deno.test("e2e: pg_cron's CRM sync job reaches Odoo and the database; the anon-key job gets 401", async () => {
  const { lines, logger } = captureLogs();
  const stack = await startLocalStack({
    apiPort: 0,
    dbPort: 0,
    pauseCron: true,
    stateDir: null,
    logger,
  });
  try {
    const { sql, demo } = stack;
    const odoo = stack.odoo!;
    const job = await cronJob(sql);
    assert.equal(job.username, "postgres");
    assert.equal(job.active, false, "paused: the test drives the job");
    assert.doesNotMatch(job.command, /eyJ|sb_secret_|sb_publishable_/, "no literal key");
    assert.deepEqual(await counts(sql, demo.orgId), { leads: 0, runs: 0 });

    // 1-3. The job as deployed: Vault URL and service key, through pg_net and the guard.
    const ok = await runLikePgCron(stack.urls.db, sql, job);
    assert.equal(ok.status_code, 202, `content: ${ok.content} error: ${ok.error_msg}`);
    assert.deepEqual(JSON.parse(ok.content!), { status: "accepted", job: "crm" });
    await finishedRun(sql);
    const [state] = await sql`select last_status from public.sync_org_state
      where org_id = ${demo.orgId}::uuid and job = 'crm'`;
    assert.equal(state.last_status, "succeeded");
    const demoLeads = odoo.records("crm.lead");
    assert.deepEqual(await counts(sql, demo.orgId), { leads: demoLeads.length, runs: 1 });
    const [run] = await sql`select integration, job, status from public.sync_runs`;
    assert.deepEqual({ ...run }, { integration: "odoo", job: "crm", status: "succeeded" });
    const [lead] = await sql`
      select name from public.crm_leads where org_id = ${demo.orgId}::uuid and odoo_id = 1`;
    assert.equal(lead.name, demoLeads[0].name);

    // 4. The incident: the job rescheduled by hand with the anon key in its command.
    // It asks for a full sync (its own idempotency key) and Odoo has a new lead,
    // so a call that got through would add a sync_runs row and a lead.
    odoo.upsertRecord("crm.lead", { name: "Arrived after the first sync", active: true });
    const oldCommand = `select net.http_post(
      url := ${literal(`${stack.urls.api}/functions/v1/odoo-crm-sync`)},
      headers := jsonb_build_object('Content-Type', 'application/json',
        'Authorization', ${literal(`Bearer ${stack.keys.anonKey}`)}),
      body := '{"mode":"full"}'::jsonb
    ) as request_id;`;
    await sql`select cron.schedule(${JOB}, '*/15 * * * *', ${oldCommand})`;
    await sql`select cron.alter_job(jobid, active := false) from cron.job where jobname = ${JOB}`;
    const oldJob = await cronJob(sql);
    assert.equal(oldJob.jobid, job.jobid, "the same job, replaced by name");
    assert.ok(oldJob.command.includes(stack.keys.anonKey));

    const rejected = await runLikePgCron(stack.urls.db, sql, oldJob);
    assert.equal(rejected.status_code, 401);
    assert.deepEqual(JSON.parse(rejected.content!), { error: "invalid_token" });
    assert.deepEqual(await counts(sql, demo.orgId), { leads: demoLeads.length, runs: 1 });
    const reasons = lines.map((l) => JSON.parse(l)).filter((e) => e.event === "auth_rejected");
    assert.deepEqual(
      reasons.map((e) => [e.function_name, e.status, e.rejection_reason]),
      [["odoo-crm-sync", 401, "anon_or_publishable_key"]],
    );
    assert.ok(lines.every((l) => !l.includes(stack.keys.anonKey)), "the key is never logged");
  } finally {
    await stack.stop();
  }
});

Deno.test("e2e: pg_cron itself fires the CRM sync job and pg_net delivers it (≤ 1 min)", async () => {
  const stack = await startLocalStack({
    apiPort: 0,
    dbPort: 0,
    pauseCron: true,
    stateDir: null,
    logger: createLogger(recordLogLine),
  });
  try {
    const { sql } = stack;
    await sql`select cron.alter_job(jobid, schedule := '* * * * *', active := true)
      from cron.job where jobname = ${JOB}`;
    // Only this job is active, so every pg_net response comes from its run.
    let delivered: { status: string; status_code: number | null }[] = [];
    for (let waited = 0; waited < 75_000 && delivered.length === 0; waited += 250) {
      await new Promise((r) => setTimeout(r, 250));
      delivered = await sql`
        select d.status, r.status_code
        from cron.job_run_details d join cron.job j using (jobid), net._http_response r
        where j.jobname = ${JOB} and d.status in ('succeeded', 'failed')`;
    }
    assert.deepEqual(delivered.map((d) => ({ ...d })), [{ status: "succeeded", status_code: 202 }]);
    await finishedRun(sql);
    const [{ leads }] = await sql`
      select count(*)::int as leads from public.crm_leads where org_id = ${stack.demo.orgId}::uuid`;
    assert.equal(leads, stack.odoo!.records("crm.lead").length);
  } finally {
    await stack.stop();
  }
});
