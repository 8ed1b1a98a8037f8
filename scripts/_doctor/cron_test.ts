import assert from "node:assert/strict";
import { type CronJob, cronJobFindings, SCHEDULE_JOBS_SQL, vaultNames } from "./cron.ts";
import { vaultFindings } from "./vault.ts";
import type { Finding } from "./types.ts";
import {
  mintUserToken,
  TEST_ANON_KEY,
  TEST_PUBLISHABLE_KEY,
  TEST_SECRET_KEY,
  TEST_SECRETS,
  TEST_SERVICE_ROLE_KEY,
} from "../../tests/support/tokens.ts";

const VAULT_KEY =
  "(select decrypted_secret from vault.decrypted_secrets where name = 'service_role_key')";
const VAULT_URL =
  "(select decrypted_secret from vault.decrypted_secrets where name = 'project_url')";
const call = (auth: string, extra = "") =>
  `insert into public.cron_http_requests (request_id, job_name, function_name)
   select net.http_post(url := ${VAULT_URL} || '/functions/v1/odoo-crm-sync',
     headers := jsonb_build_object('Content-Type', 'application/json'${auth}${extra}),
     body := '{}'::jsonb), 'j', 'odoo-crm-sync';`;
const job = (command: string, active = true): CronJob => ({ name: "j", command, active });
const ids = (findings: Finding[]) => findings.map((f) => `${f.severity}:${f.id}`);

Deno.test("cronJobFindings: a Vault-keyed, recorded job is ok", () => {
  const findings = cronJobFindings([job(call(`, 'Authorization', 'Bearer ' || ${VAULT_KEY}`))], {
    linkTable: true,
  });
  assert.deepEqual(ids(findings), ["ok:cron_job_ok"]);
  assert.match(findings[0].detail, /\/functions\/v1\/odoo-crm-sync/);
});

Deno.test("cronJobFindings names every kind of literal key, never its value", async () => {
  const user = await mintUserToken();
  const cases: [string, string][] = [
    [TEST_ANON_KEY, "error:cron_job_anon_key"],
    [TEST_PUBLISHABLE_KEY, "error:cron_job_publishable_key"],
    [TEST_SERVICE_ROLE_KEY, "error:cron_job_literal_jwt"],
    [user, "error:cron_job_literal_jwt"],
    [TEST_SECRET_KEY, "error:cron_job_literal_secret_key"],
  ];
  for (const [key, expected] of cases) {
    const findings = cronJobFindings([job(call(`, 'Authorization', 'Bearer ${key}'`))]);
    assert.deepEqual(ids(findings), [expected], expected);
    // The fix is the one function that defines every job, never an old migration.
    assert.ok(findings[0].fix.includes(SCHEDULE_JOBS_SQL), findings[0].fix);
    assert.doesNotMatch(findings[0].fix, /migrations\//);
    for (const secret of [...TEST_SECRETS, user]) {
      assert.ok(!JSON.stringify(findings).includes(secret.slice(12, 24)), expected);
    }
  }
  const anon = cronJobFindings([job(call(`, 'Authorization', 'Bearer ${TEST_ANON_KEY}'`))]);
  assert.match(anon[0].detail, /role "anon"/);
});

Deno.test("cronJobFindings: keys not from Vault, missing auth, cron secrets, hygiene", () => {
  const setting = call(`, 'Authorization', 'Bearer ' || current_setting('app.service_role_key')`);
  assert.deepEqual(ids(cronJobFindings([job(setting)])), ["error:cron_job_key_not_from_vault"]);
  assert.deepEqual(ids(cronJobFindings([job(call(""))])), ["error:cron_job_no_authorization"]);
  const vault = `, 'Authorization', 'Bearer ' || ${VAULT_KEY}`;
  const literalSecret = cronJobFindings([job(call(vault, ", 'x-cron-secret', 'abc'"))]);
  assert.deepEqual(ids(literalSecret), ["error:cron_job_literal_cron_secret"]);
  const vaultSecret = `, 'x-cron-secret', (select decrypted_secret from vault.decrypted_secrets
    where name = 'cron_secret')`;
  assert.deepEqual(ids(cronJobFindings([job(call(vault, vaultSecret))])), ["ok:cron_job_ok"]);
  const legacyUrl = call(vault).replace(
    `${VAULT_URL} || '/functions/v1/odoo-crm-sync'`,
    "'https://ref.functions.supabase.co/odoo-crm-sync'",
  )
    .replace("insert into public.cron_http_requests", "insert into x");
  assert.deepEqual(ids(cronJobFindings([job(legacyUrl, false)], { linkTable: true })), [
    "warn:cron_job_literal_url",
    "warn:cron_job_inactive",
    "warn:cron_job_not_recorded",
  ]);
});

Deno.test("cronJobFindings ignores jobs that call no function, and says when none does", () => {
  const findings = cronJobFindings([job(`select 1; -- ${TEST_ANON_KEY}`)]);
  assert.deepEqual(ids(findings), ["warn:cron_jobs_none"]);
  assert.deepEqual(vaultNames(call(`, 'k', ${VAULT_KEY}`)), ["project_url", "service_role_key"]);
});

Deno.test("cronJobFindings: a sync job calling the queue's tick is ok and names its function", () => {
  const findings = cronJobFindings([job("select public.tick_odoo_sync('chatter');")]);
  assert.deepEqual(ids(findings), ["ok:cron_job_ok"]);
  assert.match(findings[0].detail, /\/functions\/v1\/odoo-chatter-sync with the key from Vault/);
  const other = cronJobFindings([job("select public.tick_odoo_sync('crm'); drop table x;")]);
  assert.deepEqual(ids(other), ["warn:cron_jobs_none"]);
});

const needs = new Map([["project_url", ["a"]], ["service_role_key", ["a"]]]);
const vault = (key: string, url = "https://ref.supabase.co") =>
  vaultFindings(new Map([["project_url", url], ["service_role_key", key]]), needs, new Date());

Deno.test("vaultFindings judges the service key by role claim or sb_ prefix", async () => {
  assert.deepEqual(ids(vault(TEST_SERVICE_ROLE_KEY)), ["ok:vault_secrets_ok"]);
  assert.deepEqual(ids(vault(TEST_SECRET_KEY)), ["ok:vault_secrets_ok"]);
  assert.deepEqual(ids(vault(TEST_ANON_KEY)), ["error:vault_service_key_is_anon"]);
  assert.deepEqual(ids(vault(TEST_PUBLISHABLE_KEY)), ["error:vault_service_key_is_anon"]);
  assert.deepEqual(ids(vault(await mintUserToken())), ["error:vault_service_key_wrong_role"]);
  const old = await mintUserToken({ role: "service_role", exp: 1_000_000_000 });
  assert.deepEqual(ids(vault(old)), ["error:vault_service_key_expired"]);
  assert.deepEqual(ids(vault("hunter2hunter2")), ["warn:vault_service_key_unrecognized"]);
  assert.ok(!JSON.stringify(vault("hunter2hunter2")).includes("hunter2"));
});

Deno.test("vaultFindings: missing, empty and malformed secrets", () => {
  const missing = vaultFindings(new Map([["service_role_key", " "]]), needs, new Date());
  assert.deepEqual(ids(missing), ["error:vault_secret_missing", "error:vault_secret_empty"]);
  assert.equal(missing[0].subject, "project_url");
  assert.deepEqual(ids(vault(TEST_SECRET_KEY, "ref.supabase.co")), [
    "error:vault_project_url_invalid",
  ]);
  assert.deepEqual(ids(vault(TEST_SECRET_KEY, "https://ref.supabase.co/")), [
    "warn:vault_project_url_path",
  ]);
});
