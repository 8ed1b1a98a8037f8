import assert from "node:assert/strict";
import { envFindings } from "./env.ts";
import { cronSecretFindings } from "./cron_secret.ts";
import type { Finding, FunctionEnv } from "./types.ts";
import {
  TEST_ANON_KEY,
  TEST_CRON_SECRET,
  TEST_SECRET_KEY,
  TEST_SECRETS,
  TEST_SERVICE_ROLE_KEY,
  testAuthEnv,
} from "../../tests/support/tokens.ts";

const env = (overrides: Record<string, string | undefined> = {}, label = "functions") => ({
  label,
  vars: testAuthEnv({
    SUPABASE_DB_URL: "postgres://db/postgres",
    OUTBOUND_ALLOW_PRIVATE: undefined,
    ...overrides,
  }).vars,
});
const ids = (findings: Finding[]) => findings.map((f) => `${f.severity}:${f.id}`).sort();

function assertNoSecrets(findings: Finding[]) {
  const text = JSON.stringify(findings);
  for (const s of TEST_SECRETS) assert.ok(!text.includes(s.slice(-12)), "a secret was printed");
}

Deno.test("envFindings: the test environment is complete", () => {
  const findings = envFindings(env(), { vaultServiceKey: TEST_SERVICE_ROLE_KEY });
  assert.deepEqual(ids(findings), ["ok:env_ok"]);
  assert.equal(findings[0].subject, "env:functions");
});

Deno.test("envFindings names each missing or malformed setting", () => {
  const cases: [Record<string, string | undefined>, string[]][] = [
    [{ SUPABASE_URL: undefined, JWT_SECRET: undefined }, [
      "error:env_no_user_token_verifier",
      "error:env_supabase_url_missing",
    ]],
    [{ SUPABASE_URL: undefined }, ["error:env_supabase_url_missing"]],
    [{ SUPABASE_SERVICE_ROLE_KEY: undefined, SUPABASE_SECRET_KEYS: undefined }, [
      "error:env_service_key_missing",
    ]],
    [{ SUPABASE_SERVICE_ROLE_KEY: undefined, SUPABASE_SECRET_KEYS: "{}" }, [
      "error:env_service_key_missing",
    ]],
    [{ SUPABASE_SECRET_KEYS: "sb_secret_not_json" }, ["error:env_secret_keys_invalid"]],
    [{ SUPABASE_SERVICE_ROLE_KEY: TEST_ANON_KEY }, ["error:env_service_key_is_anon"]],
    [{ SUPABASE_DB_URL: "" }, ["error:env_db_url_missing"]],
    [{ JWT_SECRET: "too-short" }, ["error:env_auth_config_invalid"]],
    [{ SUPABASE_URL: "ftp://x" }, ["error:env_auth_config_invalid"]],
  ];
  for (const [overrides, expected] of cases) {
    const findings = envFindings(env(overrides), {});
    assert.deepEqual(ids(findings), expected, JSON.stringify(Object.keys(overrides)));
    assertNoSecrets(findings);
  }
});

Deno.test("envFindings: is the Vault key one the functions accept?", () => {
  const bySecretKeys = env({ SUPABASE_SERVICE_ROLE_KEY: undefined });
  assert.deepEqual(ids(envFindings(bySecretKeys, { vaultServiceKey: TEST_SECRET_KEY })), [
    "ok:env_ok",
  ]);
  const rejected = envFindings(env(), { vaultServiceKey: TEST_ANON_KEY });
  assert.deepEqual(ids(rejected), ["error:vault_service_key_not_accepted"]);
  assertNoSecrets(rejected);
  const elsewhere = envFindings(env(), { vaultProjectUrl: "https://other.supabase.co" });
  assert.deepEqual(ids(elsewhere), ["ok:env_ok", "warn:vault_project_url_mismatch"]);
  assert.match(elsewhere[1].detail, /https:\/\/other\.supabase\.co/);
});

Deno.test("cronSecretFindings: seed 001, a secret set for one function only", () => {
  const scheduler = env({}, "bot-scheduler");
  const executor = env({ CRON_SECRET: undefined }, "bot-executor");
  const findings = cronSecretFindings([scheduler, executor], []);
  assert.deepEqual(ids(findings), ["error:cron_secret_not_configured"]);
  assert.equal(findings[0].subject, "env:bot-executor");
  assert.match(findings[0].fix, /same value as bot-scheduler/);
  assert.ok(!JSON.stringify(findings).includes(TEST_CRON_SECRET));
});

Deno.test("cronSecretFindings: in use by a job or a flag; mismatched values", () => {
  const none: FunctionEnv = env({ CRON_SECRET: undefined });
  assert.deepEqual(cronSecretFindings([none], []), []);
  const byJob = cronSecretFindings([none], ["cron job bot-scheduler sends x-cron-secret"]);
  assert.deepEqual(ids(byJob), ["error:cron_secret_not_configured"]);
  assert.match(byJob[0].detail, /cron job bot-scheduler sends x-cron-secret/);
  assert.deepEqual(cronSecretFindings([], ["--cron-secret-in-use"]), []);
  const a = env({ CRON_SECRET: "first-cron-secret-value" }, "a");
  const b = env({ CRON_SECRET: "other-cron-secret-value" }, "b");
  const mismatch = cronSecretFindings([a, b, env({}, "c")], []);
  assert.deepEqual(ids(mismatch), ["error:cron_secret_mismatch"]);
  assert.equal(mismatch[0].subject, "env:a, env:b, env:c");
  assert.ok(!JSON.stringify(mismatch).includes("cron-secret-value"));
  assert.deepEqual(
    cronSecretFindings([a, env({ CRON_SECRET: "first-cron-secret-value" })], []),
    [],
  );
});
