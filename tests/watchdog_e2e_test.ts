/**
 * End to end, with pg_cron firing: the `edge-guard-watchdog` job (every
 * minute here, through its setting) on the local stack, where migrations and
 * cron jobs run as the non-superuser `postgres`. The seed incident (the CRM
 * sync job rescheduled with the literal anon key) opens one alert for that job
 * within one watchdog period and queues one webhook request to a local
 * receiver, with no secret in it; restoring the job and one good call resolve
 * it and queue the resolution; a missing Vault secret, a stuck run and a stale
 * organization each open their alert; the call outcomes outlive pg_net's TTL.
 *
 * Takes about two minutes (two watchdog passes on minute boundaries).
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { startLocalStack } from "../supabase/local/stack.ts";
import { startDemoReceiver } from "../supabase/local/demo_receiver.ts";
import { createLogger } from "../supabase/functions/_shared/log.ts";
import { recordLogLine } from "./support/guard_harness.ts";
import { expirePgNetResponses } from "./support/pg_net.ts";
import type { Sql } from "../supabase/functions/_shared/db.ts";

// The one definition of every cron job (docs/database.md, "Cron jobs"); the doctor's fix.
const SCHEDULE_JOBS_SQL = "select public.edge_guard_schedule_jobs();";
const JOB = "odoo-crm-sync-incremental";
const STALE_ORG = "d0000000-0000-4000-8000-00000000000d";
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

interface Alert {
  check_id: string;
  subject: string;
  resolved: boolean;
}

async function waitFor<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | undefined> | T | undefined,
) {
  for (let waited = 0; waited < ms; waited += 500) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

const alerts = (sql: Sql) =>
  sql<Alert[]>`select check_id, subject, resolved_at is not null as resolved
    from public.edge_guard_alerts order by id`;

/** Runs the job's command in a session of its owner, as pg_cron does; waits for its answer. */
async function runLikePgCron(dbUrl: string, sql: Sql): Promise<number | null> {
  const [job] = await sql`select command, username from cron.job where jobname = ${JOB}`;
  const url = new URL(dbUrl);
  url.username = job.username;
  const session = postgres(url.href, { max: 1, onnotice: () => {} });
  try {
    await session.unsafe(job.command);
  } finally {
    await session.end();
  }
  return await waitFor("the job's answer", 30_000, async () => {
    const [row] = await sql`select r.status_code from public.cron_http_requests c
      join net._http_response r on r.id = c.request_id where c.job_name = ${JOB}
      order by c.created_at desc limit 1`;
    return row ? row.status_code as number | null : undefined;
  });
}

Deno.test("e2e: the watchdog job alerts on the seed incident, resolves it, and flags secret, stuck run, stale org", async () => {
  const logger = createLogger(recordLogLine);
  const receiver = startDemoReceiver({ logger });
  const stack = await startLocalStack({
    apiPort: 0,
    dbPort: 0,
    pauseCron: true,
    stateDir: null,
    logger,
    seed: { bot: false },
  });
  try {
    const { sql } = stack;
    const [{ superuser }] = await sql`select rolsuper as superuser from pg_roles
      where rolname = current_user`;
    assert.equal(superuser, false, "the stack runs as a non-superuser postgres");

    // The watchdog every minute (its setting), sending to the local receiver. (Scheduling
    // the jobs first: edge_guard_schedule_jobs() would remove the incident's job below.)
    await sql`select vault.create_secret(${`${receiver.url}/alerts`}, 'alert_webhook_url')`;
    await sql`update public.edge_guard_settings set watchdog_schedule = '* * * * *'`;
    await sql`select public.edge_guard_schedule_jobs()`;
    await sql`select cron.alter_job(jobid, active := true) from cron.job
      where jobname = 'edge-guard-watchdog'`;
    // The seed incident: the job rescheduled by hand with the anon key.
    const oldCommand = `select net.http_post(
      url := ${literal(`${stack.urls.api}/functions/v1/odoo-crm-sync`)},
      headers := jsonb_build_object('Content-Type', 'application/json',
        'Authorization', ${literal(`Bearer ${stack.keys.anonKey}`)}),
      body := '{"mode":"incremental"}'::jsonb) as request_id;`;
    await sql`select cron.schedule(${JOB}, '* * * * *', ${oldCommand})`;
    await sql`select cron.alter_job(jobid, active := true) from cron.job where jobname = ${JOB}`;

    const opened = await waitFor("the first notification", 75_000, () => {
      const hooks = receiver.received();
      return hooks.length > 0 ? hooks : undefined;
    });
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(receiver.received().length, 1, "one webhook request");
    const body = JSON.parse(opened[0].body);
    assert.deepEqual([body.event, body.check_id, body.subject], [
      "opened",
      "cron_command_literal",
      JOB,
    ]);
    assert.match(body.text, /odoo-crm-sync-incremental/);
    for (const secret of [stack.keys.anonKey, stack.keys.serviceRoleKey]) {
      assert.ok(!opened[0].body.includes(secret.slice(-16)), "no key in the notification");
    }
    assert.doesNotMatch(opened[0].body, /eyJ[A-Za-z0-9_-]{8}|functions\/v1\/odoo-crm-sync'/);
    assert.deepEqual((await alerts(sql)).map((a) => ({ ...a })), [
      { check_id: "cron_command_literal", subject: JOB, resolved: false },
    ]);

    // Restore the job (the migration, as postgres), one good call, then three faults.
    await sql.unsafe(SCHEDULE_JOBS_SQL);
    await sql`select cron.alter_job(jobid, active := false) from cron.job where jobname = ${JOB}`;
    assert.equal(await runLikePgCron(stack.urls.db, sql), 202, "a queue worker woken");
    await sql`delete from vault.secrets where name = 'service_role_key'`;
    await sql`insert into public.sync_runs (idempotency_key, integration, job, scheduled_for, started_at)
      values ('odoo:chatter:stuck-e2e', 'odoo', 'chatter', now() - interval '1 hour', now() - interval '1 hour')`;
    await sql`insert into public.organizations (id, name, created_at)
      values (${STALE_ORG}, 'Stale', now() - interval '3 hours')`;
    await sql`insert into public.integration_credentials
      (org_id, integration_type, vault_secret_id, created_at)
      values (${STALE_ORG}, 'odoo', gen_random_uuid(), now() - interval '3 hours')`;

    const after = await waitFor("the next watchdog pass", 75_000, async () => {
      const rows = await alerts(sql);
      return rows.some((a) => a.resolved) ? rows : undefined;
    });
    const state = after.map((a) =>
      `${a.check_id} ${a.subject} ${a.resolved ? "resolved" : "open"}`
    );
    for (
      const expected of [
        `cron_command_literal ${JOB} resolved`,
        "vault_secret_missing service_role_key open",
        "sync_run_stuck sync_run:",
        `org_sync_stale org:${STALE_ORG} open`,
      ]
    ) {
      assert.ok(state.some((s) => s.startsWith(expected)), `${expected} in ${state.join(", ")}`);
    }
    const [run] = await sql`select status from public.sync_runs
      where idempotency_key = 'odoo:chatter:stuck-e2e'`;
    assert.equal(run.status, "failed", "the stuck run is reaped");
    await waitFor("the resolution notification", 10_000, () => {
      const events = receiver.received().map((h) => JSON.parse(h.body));
      const resolved = events.filter((e) => e.event === "resolved");
      return resolved.length > 0 ? resolved : undefined;
    }).then((resolved) => {
      assert.equal(resolved.length, 1, "one resolution");
      assert.equal(resolved[0].subject, JOB);
    });

    // The good call's outcome outlives pg_net's TTL (the real worker deletes the responses).
    await expirePgNetResponses(stack.urls.db);
    const [{ responses }] = await sql`select count(*)::int as responses from net._http_response`;
    assert.equal(responses, 0, "pg_net deleted every response");
    const kept = await sql`select status_code from public.edge_guard_call_outcomes
      where job_name = ${JOB}`;
    assert.deepEqual(kept.map((r) => r.status_code), [202]);
  } finally {
    await stack.stop();
    await receiver.close();
  }
});
