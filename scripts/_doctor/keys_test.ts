import assert from "node:assert/strict";
import { classifyKey, describeKey, literalKeys, sameSecret } from "./keys.ts";
import { redact } from "./types.ts";
import {
  mintLegacyKey,
  mintUserToken,
  TEST_ANON_KEY,
  TEST_PUBLISHABLE_KEY,
  TEST_SECRET_KEY,
  TEST_SERVICE_ROLE_KEY,
  testSecretsFor,
} from "../../tests/support/tokens.ts";

Deno.test("classifyKey reads the role of a legacy key without verifying it", async () => {
  assert.deepEqual(classifyKey(TEST_ANON_KEY), { kind: "jwt", role: "anon", exp: 4_102_444_800 });
  assert.equal(classifyKey(`Bearer ${TEST_SERVICE_ROLE_KEY}`).role, "service_role");
  const foreign = await mintLegacyKey("service_role", "some-other-projects-secret-of-32-chars!");
  assert.equal(classifyKey(foreign).role, "service_role");
  assert.equal(classifyKey(await mintUserToken()).role, "authenticated");
});

Deno.test("classifyKey: sb_ keys by prefix, odd JWTs without a printable role", async () => {
  assert.deepEqual(classifyKey(TEST_SECRET_KEY), { kind: "sb_secret" });
  assert.deepEqual(classifyKey(` ${TEST_PUBLISHABLE_KEY} `), { kind: "sb_publishable" });
  assert.deepEqual(classifyKey("eyJhbGciOi.not-base64-json.sig"), { kind: "jwt" });
  assert.deepEqual(classifyKey("eyJtruncated"), { kind: "jwt" });
  const odd = await mintUserToken({ role: 'x" or "evil role with spaces' });
  assert.equal(classifyKey(odd).role, undefined);
  assert.deepEqual(classifyKey("hunter2"), { kind: "unknown" });
});

Deno.test("describeKey names the kind and role, never the value", () => {
  const text = [TEST_ANON_KEY, TEST_SECRET_KEY, TEST_PUBLISHABLE_KEY, "x"]
    .map((k) => describeKey(classifyKey(k))).join(" | ");
  assert.equal(
    text,
    'a JWT (eyJ…) with role "anon" | a secret key (sb_secret_…) | ' +
      "a publishable key (sb_publishable_…) | a value that is neither a JWT nor an sb_ key",
  );
});

Deno.test("literalKeys finds every JWT and sb_ key in a command", () => {
  const command = `select net.http_post(url := 'https://x.supabase.co/functions/v1/f',
    headers := '{"Authorization": "Bearer ${TEST_ANON_KEY}", "apikey": "${TEST_PUBLISHABLE_KEY}"}',
    body := '{"k": "${TEST_SECRET_KEY}"}')`;
  assert.deepEqual(literalKeys(command).map((k) => `${k.kind}:${k.role ?? ""}`), [
    "jwt:anon",
    "sb_publishable:",
    "sb_secret:",
  ]);
  assert.deepEqual(literalKeys("select decrypted_secret from vault.decrypted_secrets"), []);
});

Deno.test("sameSecret compares values", () => {
  assert.equal(sameSecret(TEST_SECRET_KEY, `${TEST_SECRET_KEY}`), true);
  assert.equal(sameSecret(TEST_SECRET_KEY, TEST_PUBLISHABLE_KEY), false);
  assert.equal(sameSecret("", "a"), false);
});

Deno.test("redact keeps only kind markers and drops URL passwords", () => {
  const text = redact(
    `bad ${TEST_SERVICE_ROLE_KEY} and ${TEST_SECRET_KEY}, postgres://u:p4ss@db.example:5432/postgres`,
  );
  assert.equal(text, "bad eyJ… and sb_secret_…, postgres://u:…@db.example:5432/postgres");
  assert.equal(redact(text), text, "idempotent");
});

Deno.test("redact: an sb_ key containing eyJ becomes one marker, whatever the seed", async (t) => {
  // EDGE_GUARD_TEST_SEED=a3915f4bace87594e8dc709adf8f815b once generated such a key (issue 23).
  const cases: [string, string, string][] = [
    ["secret key with eyJ inside", "sb_secret_Qw3eyJhbGciOiJIUzI1Ni-x", "sb_secret_…"],
    ["publishable key ending in eyJ", "sb_publishable_abc-_eyJ", "sb_publishable_…"],
    ["a JWS after a space still is", "Bearer eyJhbGciOi.eyJyb2xl.sig", "Bearer eyJ…"],
  ];
  for (const [name, input, expected] of cases) {
    await t.step(name, () => {
      assert.equal(redact(`<${input}>`), `<${expected}>`);
      assert.equal(redact(redact(`<${input}>`)), `<${expected}>`, "idempotent");
    });
  }
  await t.step("the key of the seed that failed", () => {
    const key = testSecretsFor("a3915f4bace87594e8dc709adf8f815b")
      .find((s) => s.value.startsWith("sb_secret_"))!.value;
    assert.match(key, /eyJ/, "the fixed case still holds an eyJ");
    assert.equal(redact(`key ${key} end`), "key sb_secret_… end");
  });
});
