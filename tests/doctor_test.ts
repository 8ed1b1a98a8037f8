/**
 * `./dev doctor` end to end: the real CLI (a `deno run` subprocess) against
 * a throwaway cluster with the local stack, Vault-keyed cron jobs whose
 * requests the real pg_net delivers to a fake function (200 for the
 * service role key, 401 otherwise). Healthy -> exit 0; each injected fault ->
 * reported by name, exit 1. No run may print any part of a test secret.
 */
import assert from "node:assert/strict";
import { startCluster } from "../supabase/local/cluster.ts";
import { applyLocalStack, psqlFile } from "../supabase/local/apply.ts";
import { connect, type Sql } from "./support/db.ts";
import { awaitPgNet } from "./support/pg_net.ts";
import {
  mintLegacyKey,
  TEST_ANON_KEY,
  TEST_CRON_SECRET,
  TEST_SECRETS,
  TEST_SERVICE_ROLE_KEY,
  testAuthEnv,
} from "./support/tokens.ts";

// The one definition of every cron job (docs/database.md, "Cron jobs"); the doctor's fix.
const SCHEDULE_JOBS_SQL = "select public.edge_guard_schedule_jobs();";
const ROOT = new URL("../", import.meta.url).pathname;
const LINK_MIGRATION = `${ROOT}supabase/migrations/20261123000450_cron_http_requests.sql`;
const OTHER_JWT_SECRET = "another-projects-jwt-secret-with-at-least-32-chars";
const OTHER_SERVICE_KEY = await mintLegacyKey("service_role", OTHER_JWT_SECRET);
const SECRETS = [...TEST_SECRETS, OTHER_JWT_SECRET, OTHER_SERVICE_KEY];

/** Fails if the text holds any 12 characters of a secret (beyond its kind marker). */
function assertNoSecrets(text: string) {
  for (const secret of SECRETS) {
    const body = secret.replace(/^(eyJ|sb_secret_|sb_publishable_)/, "");
    for (let i = 0; i + 12 <= body.length; i++) {
      if (text.includes(body.slice(i, i + 12))) assert.fail("doctor output holds part of a secret");
    }
  }
}

interface Run {
  code: number;
  text: string;
}

async function doctor(url: string, args: string[]): Promise<Run> {
  const env: Record<string, string> = { NO_COLOR: "1", PATH: Deno.env.get("PATH") ?? "" };
  for (const name of ["HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value) env[name] = value;
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}scripts/doctor.ts`, "--db-url", url, ...args],
    cwd: ROOT,
    clearEnv: true,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertNoSecrets(text);
  return { code: out.code, text };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Asserts a report row `<severity> <id> <subject>` (and optional detail text). */
function assertRow(run: Run, severity: string, id: string, subject: string, detail = "") {
  const re = new RegExp(`^${severity}\\s+${id}\\s+${escape(subject)}\\s.*${escape(detail)}`, "m");
  assert.match(run.text, re);
}

function assertNoErrors(run: Run) {
  assert.doesNotMatch(run.text, /^error\s/m);
  assert.equal(run.code, 0, run.text);
}

/** Runs every edge-function job's command `times` times, as pg_cron would, and delivers. */
async function runJobs(sql: Sql, times = 1) {
  const jobs = await sql`select command from cron.job
    where command like '%/functions/v1/%' or command like '%tick_odoo_sync%'`;
  for (let i = 0; i < times; i++) for (const j of jobs) await sql.unsafe(j.command);
  await awaitPgNet(sql);
}

async function restore(sql: Sql, functionsUrl: string) {
  await sql`delete from vault.secrets where name in ('project_url', 'service_role_key')`;
  await sql`select vault.create_secret(${functionsUrl}, 'project_url'),
    vault.create_secret(${TEST_SERVICE_ROLE_KEY}, 'service_role_key')`;
  await sql`delete from net.http_request_queue`;
  await sql`delete from net._http_response`;
  await sql`delete from public.cron_http_requests`;
  await sql`delete from cron.job_run_details`;
  await sql`delete from public.edge_guard_alerts`;
  await sql`delete from public.edge_guard_call_outcomes`;
}

function fakeFunctions(): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    await req.body?.cancel();
    const ok = req.headers.get("authorization") === `Bearer ${TEST_SERVICE_ROLE_KEY}`;
    return Response.json(ok ? { ok: true } : { error: "invalid_token" }, {
      status: ok ? 200 : 401,
    });
  });
}

/** What every scenario gets: a stack in the healthy state. */
interface Ctx {
  /** The non-superuser `postgres`, as on hosted Supabase. */
  sql: Sql;
  /** `supabase_admin`, for what only the platform can do (fake cron run history). */
  admin: Sql;
  url: string;
  functionsUrl: string;
  /** `--env-file` for the healthy function environment. */
  env: string[];
  /** Writes a dotenv file: the test environment with overrides. */
  writeEnv(name: string, overrides?: Record<string, string | undefined>): Promise<string>;
  doctor(args: string[]): Promise<Run>;
}

async function healthy(c: Ctx) {
  await runJobs(c.sql, 2);
  const run = await c.doctor(c.env);
  assertNoErrors(run);
  for (const job of ["odoo-crm-sync-incremental", "bot-scheduler", "check-sla-breaches"]) {
    assertRow(run, "ok", "cron_job_ok", job, "with the key from Vault");
  }
  assertRow(run, "ok", "vault_secrets_ok", "vault", 'holds a JWT (eyJ…) with role "service_role"');
  assertRow(run, "ok", "http_auth_ok", "net._http_response", "none 401/403");
  assertRow(run, "ok", "env_ok", "env:functions");
  const json = JSON.parse((await c.doctor([...c.env, "--json"])).text);
  assert.equal(json.summary.error, 0);
  assert.ok(json.findings.some((f: { id: string }) => f.id === "cron_runs_ok"));
}

/** The seed incident: the sync job sends the anon key and every call is answered 401. */
async function literalAnonKey(c: Ctx) {
  const command = `select net.http_post(url := '${c.functionsUrl}/functions/v1/odoo-crm-sync',
    headers := jsonb_build_object('Content-Type', 'application/json',
      'Authorization', 'Bearer ${TEST_ANON_KEY}'),
    body := '{"mode":"incremental"}'::jsonb) as request_id;`;
  await c.sql`select cron.schedule('odoo-crm-sync-incremental', '*/15 * * * *', ${command})`;
  try {
    for (let i = 0; i < 3; i++) await c.sql.unsafe(command);
    await awaitPgNet(c.sql);
    const run = await c.doctor(c.env);
    assert.equal(run.code, 1);
    assertRow(run, "error", "cron_job_anon_key", "odoo-crm-sync-incremental", 'role "anon"');
    assertRow(run, "error", "http_auth_failures_unattributed", "net._http_response", "401 ×3");
    assertRow(run, "warn", "cron_job_literal_url", "odoo-crm-sync-incremental");
    // The fix, as printed: the one function that defines every job.
    const fix = run.text.match(
      /fix: run (select public\.edge_guard_schedule_jobs\(\);) as postgres/,
    );
    assert.ok(fix, run.text);
    await c.sql.unsafe(fix[1]);
    const fixed = await c.doctor(c.env);
    assert.doesNotMatch(fixed.text, /cron_job_anon_key|cron_job_literal_url/);
    const [job] = await c.sql`select command from cron.job
      where jobname = 'odoo-crm-sync-incremental'`;
    assert.doesNotMatch(job.command, /functions\/v1|eyJ/, "the sync job is the current one");
  } finally {
    await c.sql.unsafe(SCHEDULE_JOBS_SQL);
  }
}

async function missingVaultSecret(c: Ctx) {
  await c.sql`delete from vault.secrets where name = 'service_role_key'`;
  const run = await c.doctor(["--skip-env"]);
  assert.equal(run.code, 1);
  assertRow(run, "error", "vault_secret_missing", "service_role_key", "needed by 4 cron jobs");
  assertRow(run, "warn", "cron_job_vault_secret_missing", "bot-scheduler", "is missing from Vault");
  assert.doesNotMatch(run.text, /with the key from Vault/);
}

/** The watchdog's alert shows since when it fires; after the fix and one good call: green. */
async function alertsFireAndClear(c: Ctx) {
  await c.sql`select vault.update_secret(id, ${TEST_ANON_KEY}) from vault.secrets
    where name = 'service_role_key'`;
  await runJobs(c.sql);
  await c.sql`select public.edge_guard_watchdog()`;
  const firing = await c.doctor(["--skip-env"]);
  assert.equal(firing.code, 1);
  // One row per problem: the doctor's own 401 finding carries the watchdog's alert state.
  assertRow(
    firing,
    "error",
    "http_auth_failures",
    "bot-scheduler",
    "(watchdog http_auth_rejected: alert open since",
  );
  assert.match(
    firing.text,
    /watchdog http_auth_rejected: alert open since \d{4}-[^)]*still firing\)/,
  );
  assert.doesNotMatch(firing.text, /^error\s+http_auth_rejected\s/m, "no second row for it");
  await c.sql`select vault.update_secret(id, ${TEST_SERVICE_ROLE_KEY}) from vault.secrets
    where name = 'service_role_key'`;
  await runJobs(c.sql);
  const fixed = await c.doctor(["--skip-env"]);
  assertNoErrors(fixed);
  assertRow(fixed, "info", "alert_clearing", "bot-scheduler", "no longer fires");
  assertRow(fixed, "warn", "http_auth_failures", "bot-scheduler", "its latest call succeeded");
}

async function anonKeyInVault(c: Ctx) {
  await c.sql`select vault.update_secret(id, ${TEST_ANON_KEY}) from vault.secrets
    where name = 'service_role_key'`;
  await runJobs(c.sql);
  const run = await c.doctor(c.env);
  assert.equal(run.code, 1);
  assertRow(run, "error", "vault_service_key_is_anon", "service_role_key", 'role "anon"');
  assertRow(run, "error", "vault_service_key_not_accepted", "env:functions");
  assertRow(run, "error", "http_auth_failures", "bot-scheduler");
  // Every response was a 401 (pg_cron's own minute tick may add one to runJobs' call).
  assert.match(
    run.text,
    /^error\s+http_auth_failures\s+bot-scheduler\s+(\d+) of \1 responses? from/m,
  );
}

/** Recent 401s: another project's service key in Vault passes every static check. */
async function recent401s(c: Ctx) {
  await c.sql`select vault.update_secret(id, ${OTHER_SERVICE_KEY}) from vault.secrets
    where name = 'service_role_key'`;
  // One organization with an odoo credential, so the sync jobs' tick wakes a worker.
  const org = crypto.randomUUID();
  await c.sql`insert into public.organizations (id, name) values (${org}, 'Doctor org')`;
  await c.sql`select public.upsert_integration_credential(${org}::uuid, 'odoo', 'k',
    'https://odoo.invalid', 'db', 'login')`;
  await runJobs(c.sql, 2);
  const run = await c.doctor(["--skip-env"]);
  assert.equal(run.code, 1);
  for (
    const [job, fn] of [["odoo-crm-sync-incremental", "odoo-crm-sync"], [
      "check-sla-breaches",
      "check-sla-breaches",
    ]]
  ) {
    assertRow(
      run,
      "error",
      "http_auth_failures",
      job,
      `2 of 2 responses from /functions/v1/${fn} were 401 ×2`,
    );
  }
  assert.doesNotMatch(run.text, /vault_service_key_(is_anon|wrong_role)/);
}

/** Seed 001: CRON_SECRET set for bot-scheduler but not for bot-executor. */
async function missingCronSecret(c: Ctx) {
  const scheduler = await c.writeEnv("scheduler");
  const executor = await c.writeEnv("executor", { CRON_SECRET: undefined });
  const run = await c.doctor([
    "--env-file",
    `bot-scheduler=${scheduler}`,
    "--env-file",
    `bot-executor=${executor}`,
  ]);
  assert.equal(run.code, 1);
  assertRow(
    run,
    "error",
    "cron_secret_not_configured",
    "env:bot-executor",
    "set for bot-scheduler",
  );
  assert.doesNotMatch(run.text, /cron_secret_not_configured\s+env:bot-scheduler/);
  const flagged = await c.doctor(["--cron-secret-in-use", "--env-file", executor]);
  assert.equal(flagged.code, 1);
  assertRow(
    flagged,
    "error",
    "cron_secret_not_configured",
    "env:functions",
    "--cron-secret-in-use",
  );
}

async function failedRunsAndServerErrors(c: Ctx) {
  await c
    .admin`insert into cron.job_run_details (jobid, status, return_message, start_time, end_time)
    select jobid, 'failed', ${`ERROR: invalid header value ${TEST_CRON_SECRET}`}, now(), now()
    from cron.job where jobname = 'bot-scheduler'`;
  await c.sql`insert into public.cron_http_requests (request_id, job_name, function_name)
    values (-1, 'check-sla-breaches', 'check-sla-breaches'), (-2, 'check-sla-breaches', 'check-sla-breaches')`;
  await c.sql`insert into net._http_response (id, status_code, timed_out, created)
    values (-1, 503, false, now()), (-2, null, true, now())`;
  const run = await c.doctor(c.env);
  assert.equal(run.code, 1);
  assertRow(run, "error", "cron_run_failures", "bot-scheduler", "invalid header value [redacted]");
  assertRow(
    run,
    "warn",
    "http_other_failures",
    "check-sla-breaches",
    "2 of 2 calls to /functions/v1/check-sla-breaches",
  );
}

/** An older database without the link table: a warning, and 401/403 are still counted. */
async function withoutLinkTable(c: Ctx) {
  // Inactive, so pg_cron cannot fail a run against the missing table meanwhile.
  await c.sql`select cron.alter_job(jobid, active := false) from cron.job`;
  await c.sql`drop table public.cron_http_requests`;
  try {
    const quiet = await c.doctor(["--skip-env"]);
    assertNoErrors(quiet);
    assertRow(quiet, "warn", "cron_http_requests_missing", "public.cron_http_requests");
    await c.sql`insert into net._http_response (id, status_code, created) values (-1, 403, now())`;
    const run = await c.doctor(["--skip-env"]);
    assert.equal(run.code, 1);
    assertRow(run, "error", "http_auth_failures_unattributed", "net._http_response", "403 ×1");
  } finally {
    await psqlFile(c.url, LINK_MIGRATION);
    await c.sql`select cron.alter_job(jobid, active := true) from cron.job`;
  }
}

const SCENARIOS: [string, (c: Ctx) => Promise<void>][] = [
  ["healthy stack: exit 0, jobs, Vault, responses and environment ok", healthy],
  ["seed incident: a job sending the literal anon key, answered 401", literalAnonKey],
  ["a missing Vault secret", missingVaultSecret],
  ["the anon key stored as the Vault service key", anonKeyInVault],
  ["recent 401s: another project's service key in Vault", recent401s],
  ["a watchdog alert: open since when, still firing; green after the fix", alertsFireAndClear],
  ["seed 001: CRON_SECRET set for bot-scheduler, missing for bot-executor", missingCronSecret],
  ["failed cron runs and 5xx / timed-out responses", failedRunsAndServerErrors],
  ["no cron_http_requests table: a warning, 401s still counted", withoutLinkTable],
];

Deno.test("doctor: healthy stack passes; every injected fault is named and fails", async (t) => {
  const cluster = await startCluster();
  const server = fakeFunctions();
  const dir = await Deno.makeTempDir({ prefix: "doctor-test-" });
  const sql = connect(cluster.url);
  const admin = connect(cluster.adminUrl, { max: 1 });
  const functionsUrl = `http://127.0.0.1:${server.addr.port}`;
  const writeEnv = async (name: string, overrides: Record<string, string | undefined> = {}) => {
    const base = { SUPABASE_URL: functionsUrl, SUPABASE_DB_URL: cluster.url };
    const vars = testAuthEnv({ ...base, ...overrides }).vars;
    const path = `${dir}/${name}.env`;
    await Deno.writeTextFile(path, Object.entries(vars).map(([k, v]) => `${k}='${v}'`).join("\n"));
    return path;
  };
  try {
    await applyLocalStack(cluster.url);
    const env = ["--env-file", await writeEnv("functions")];
    const c: Ctx = {
      sql,
      admin,
      url: cluster.url,
      functionsUrl,
      env,
      writeEnv,
      doctor: (args) => doctor(cluster.url, args),
    };
    for (const [name, scenario] of SCENARIOS) {
      await t.step(name, async () => {
        await restore(sql, functionsUrl);
        try {
          await scenario(c);
        } finally {
          await restore(sql, functionsUrl);
        }
      });
    }
  } finally {
    await sql.end();
    await admin.end();
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
    await cluster.stop();
  }
});
