/**
 * The doctor's fix for the seed incident, `select public.edge_guard_schedule_jobs();`
 * (the one definition of every cron job), removes jobs that send a literal key
 * (the seed incident: `odoo-crm-sync-incremental` sent the anon key) and
 * restores the Vault-based jobs, while leaving unrelated jobs alone; and so
 * does the old cron migration, which now only calls it. Against the shared
 * test database; the end state equals the state after `applyLocalStack`.
 */
import assert from "node:assert/strict";
import { psqlFile } from "../local/apply.ts";
import { connect, testDatabaseUrl } from "../../tests/support/db.ts";
import { adminUrlFor } from "../local/cluster.ts";

const migrations = new URL("../migrations/", import.meta.url).pathname;
const cronMigration = [...Deno.readDirSync(migrations)].map((e) => `${migrations}${e.name}`)
  .find((n) => n.endsWith("_cron_jobs.sql"));
const FIX = "select public.edge_guard_schedule_jobs()";

// A schedule that never fires during a test run (03:00 on January 1st).
const NEVER = "0 3 1 1 *";
const ANON_JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl";
const legacy = (fn: string, auth: string) =>
  `select net.http_post(url := 'https://legacy-ref.supabase.co/functions/v1/${fn}',
    headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', '${auth}'),
    body := '{"mode":"incremental"}'::jsonb) as request_id;`;

const LEGACY_JOBS: [string, string][] = [
  ["odoo-crm-sync-incremental", legacy("odoo-crm-sync", `Bearer ${ANON_JWT}`)],
  ["odoo-chatter-sync-legacy", legacy("odoo-chatter-sync", `Bearer ${ANON_JWT}`)],
  ["sla-legacy-publishable", legacy("check-sla-breaches", "Bearer sb_publishable_abc123")],
  ["bots-legacy-secret", legacy("bot-scheduler", "Bearer sb_secret_abc123")],
];
const UNRELATED = ["edge-guard-test-unrelated", "select 1"];

Deno.test("the doctor's fix, or re-running the cron migration, removes literal-key jobs and keeps others", async () => {
  assert.ok(cronMigration, "cron migration file not found");
  const url = await testDatabaseUrl();
  const sql = connect(url);
  try {
    for (const [name, command] of [...LEGACY_JOBS, UNRELATED]) {
      await sql`select cron.schedule(${name}, ${NEVER}, ${command})`;
    }
    const [{ bad }] = await sql`
      select count(*)::int as bad from cron.job where command ~ 'eyJ|sb_(publishable|secret)_'`;
    assert.equal(bad, LEGACY_JOBS.length, "setup: the legacy jobs exist");

    await sql.unsafe(FIX);
    await sql`select cron.schedule(${LEGACY_JOBS[1][0]}, ${NEVER}, ${LEGACY_JOBS[1][1]})`;
    await psqlFile(url, cronMigration);

    const [{ leaking }] = await sql`
      select count(*)::int as leaking from cron.job
      where command like '%/functions/v1/%' and command ~ '(eyJ|sb_(publishable|secret)_)'`;
    assert.equal(leaking, 0);
    const names = (await sql`select jobname from cron.job order by jobname`).map((r) => r.jobname);
    for (const [name] of LEGACY_JOBS.slice(1)) assert.ok(!names.includes(name), name);
    assert.ok(names.includes(UNRELATED[0]), "an unrelated job is kept");
    const ours = await sql`
      select jobname, schedule, command from cron.job
      where jobname in ('odoo-crm-sync-incremental', 'odoo-chatter-sync-incremental',
        'bot-scheduler', 'check-sla-breaches')`;
    assert.equal(ours.length, 4);
    for (const job of ours) {
      // The sync jobs call the queue's tick, which reads Vault itself.
      const viaVault = /vault\.decrypted_secrets|^select public\.tick_odoo_sync\('\w+'\);$/;
      assert.match(job.command, viaVault, job.jobname);
      assert.doesNotMatch(job.command, /eyJ|sb_|https?:\/\//, job.jobname);
    }
    const crm = ours.find((j) => j.jobname === "odoo-crm-sync-incremental");
    assert.deepEqual([crm?.schedule, crm?.command], [
      "* * * * *",
      "select public.tick_odoo_sync('crm');",
    ]);
  } finally {
    const leftovers = [...LEGACY_JOBS.slice(1).map(([n]) => n), UNRELATED[0]];
    await sql`select cron.unschedule(jobid) from cron.job where jobname = any(${leftovers})`;
    await sql.end();
  }
});

Deno.test("the doctor's fix, as non-superuser postgres, reports another role's literal-key job instead of aborting", async () => {
  const url = await testDatabaseUrl();
  const admin = connect(adminUrlFor(url), { max: 1 });
  const sql = connect(url, { max: 1 });
  const name = "edge-guard-test-foreign";
  try {
    // A hand-made job of another role (on Supabase: one made as supabase_admin).
    await admin`select cron.schedule(${name}, ${NEVER}, ${
      legacy("odoo-crm-sync", `Bearer ${ANON_JWT}`)
    })`;
    const [{ superuser }] =
      await sql`select rolsuper as superuser from pg_roles where rolname = current_user`;
    assert.equal(superuser, false, "migrations run as a non-superuser");
    await assert.rejects(
      sql`select cron.unschedule(jobid) from cron.job where jobname = ${name}`,
      "pg_cron refuses to unschedule another role's job",
    );
    await sql.unsafe(FIX);
    const [job] = await sql`select username from cron.job where jobname = ${name}`;
    assert.equal(job?.username, "supabase_admin", "the foreign job is left alone, not an abort");
    const findings = await sql`
      select check_id, detail from public.edge_guard_findings() where subject = ${name}`;
    assert.deepEqual(findings.map((f) => f.check_id), ["cron_command_literal"]);
    assert.match(findings[0].detail, /owned by role supabase_admin/);
    assert.doesNotMatch(findings[0].detail, /eyJhbGciOi|legacy-ref/);
  } finally {
    await admin`select cron.unschedule(jobid) from cron.job where jobname = ${name}`;
    await admin.end();
    await sql.end();
  }
});
