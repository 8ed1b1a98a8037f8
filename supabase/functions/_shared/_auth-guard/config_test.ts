/**
 * Configuration: every problem is named (never valued) and turns every request
 * into 500 server_misconfigured, never a 401; secrets never print.
 */
import assert from "node:assert/strict";
import { loadAuthConfig } from "../auth-guard.ts";
import {
  createEs256Key,
  TEST_JWT_SECRET,
  TEST_SECRETS,
  TEST_SERVICE_ROLE_KEY,
  testAuthEnv,
} from "../../../../tests/support/tokens.ts";
import { captureLogs, makeRequest, runGuard } from "../../../../tests/support/guard_harness.ts";
import { verifyRequest } from "../auth-guard.ts";

const es = await createEs256Key();
const privateJwk = await crypto.subtle.exportKey("jwk", es.privateKey);
const ALL_UNSET = {
  SUPABASE_URL: undefined,
  JWT_SECRET: undefined,
  SUPABASE_ANON_KEY: undefined,
  SUPABASE_SERVICE_ROLE_KEY: undefined,
  SUPABASE_SECRET_KEYS: undefined,
  SUPABASE_PUBLISHABLE_KEYS: undefined,
  CRON_SECRET: undefined,
};

const MISCONFIGURED: {
  name: string;
  env: Record<string, string | undefined>;
  settings: string[];
}[] = [
  {
    name: "nothing can verify a caller",
    env: ALL_UNSET,
    settings: [
      "JWT_SECRET, SUPABASE_JWKS, SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY, SUPABASE_SECRET_KEYS, CRON_SECRET",
    ],
  },
  {
    name: "only the anon key is set",
    env: { ...ALL_UNSET, SUPABASE_ANON_KEY: "anon" },
    settings: [
      "JWT_SECRET, SUPABASE_JWKS, SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY, SUPABASE_SECRET_KEYS, CRON_SECRET",
    ],
  },
  {
    name: "SUPABASE_SECRET_KEYS is not JSON",
    env: { SUPABASE_SECRET_KEYS: "sb_secret_plain_string" },
    settings: ["SUPABASE_SECRET_KEYS"],
  },
  {
    name: "SUPABASE_SECRET_KEYS is a JSON array",
    env: { SUPABASE_SECRET_KEYS: '["sb_secret_x"]' },
    settings: ["SUPABASE_SECRET_KEYS"],
  },
  {
    name: "SUPABASE_SECRET_KEYS has a non-string value",
    env: { SUPABASE_SECRET_KEYS: '{"default":42}' },
    settings: ["SUPABASE_SECRET_KEYS"],
  },
  {
    name: "SUPABASE_PUBLISHABLE_KEYS is not JSON",
    env: { SUPABASE_PUBLISHABLE_KEYS: "{oops" },
    settings: ["SUPABASE_PUBLISHABLE_KEYS"],
  },
  {
    name: "SUPABASE_JWKS is not JSON",
    env: { SUPABASE_JWKS: "{keys:" },
    settings: ["SUPABASE_JWKS"],
  },
  {
    name: "SUPABASE_JWKS has no keys",
    env: { SUPABASE_JWKS: '{"keys":[]}' },
    settings: ["SUPABASE_JWKS"],
  },
  {
    name: "SUPABASE_JWKS holds a private key",
    env: { SUPABASE_JWKS: JSON.stringify({ keys: [privateJwk] }) },
    settings: ["SUPABASE_JWKS"],
  },
  { name: "JWT_SECRET is short", env: { JWT_SECRET: "short-secret" }, settings: ["JWT_SECRET"] },
  {
    name: "JWT_SECRET without SUPABASE_URL (issuer unknown)",
    env: { SUPABASE_URL: undefined },
    settings: ["SUPABASE_URL"],
  },
  {
    name: "SUPABASE_URL is not http(s)",
    env: { SUPABASE_URL: "ftp://x" },
    settings: ["SUPABASE_URL"],
  },
  {
    name: "two problems at once",
    env: { SUPABASE_SECRET_KEYS: "nope", SUPABASE_JWKS: "nope" },
    settings: ["SUPABASE_JWKS", "SUPABASE_SECRET_KEYS"],
  },
];

for (const c of MISCONFIGURED) {
  Deno.test(`config: ${c.name} -> 500 server_misconfigured for every request`, async () => {
    const config = loadAuthConfig(testAuthEnv(c.env));
    assert.deepEqual([...new Set(config.problems.map((p) => p.setting))].sort(), c.settings.sort());
    const requests = [
      makeRequest(),
      makeRequest({ bearer: TEST_SERVICE_ROLE_KEY }),
      makeRequest({ bearer: "garbage" }),
    ];
    const { logger, events } = captureLogs();
    for (const req of requests) {
      const got = await runGuard(req, { config, logger });
      assert.equal(got.status, 500);
      assert.equal(got.error, "server_misconfigured");
      assert.equal(await got.response?.text(), '{"error":"server_misconfigured"}');
    }
    const logged = events().filter((e) => e.event === "auth_config_invalid");
    assert.equal(logged.filter((e) => e.phase === "startup").length, 1, "start-up line once");
    const perRequest = logged.filter((e) => e.phase === "request");
    assert.equal(perRequest.length, requests.length, "one line per affected request");
    for (const e of logged) {
      assert.equal(e.level, "error");
      assert.deepEqual((e.settings as string[]).sort(), c.settings.sort());
    }
  });
}

Deno.test("config: a well-formed environment has no problems", () => {
  assert.deepEqual(loadAuthConfig(testAuthEnv()).problems, []);
  assert.deepEqual(
    loadAuthConfig(testAuthEnv({ SUPABASE_JWKS: JSON.stringify(es.jwks) })).problems,
    [],
  );
  const arrayJwks = JSON.stringify([es.publicJwk]);
  assert.deepEqual(loadAuthConfig(testAuthEnv({ SUPABASE_JWKS: arrayJwks })).problems, []);
  const cronOnly = loadAuthConfig({ get: (n) => (n === "CRON_SECRET" ? "cron" : undefined) });
  assert.deepEqual(cronOnly.problems, []);
});

Deno.test("config: issuer strips trailing slashes; remote JWKS from SUPABASE_URL, inline too", () => {
  const remote = loadAuthConfig(testAuthEnv({ SUPABASE_URL: "https://ref.supabase.co//" }));
  assert.equal(remote.issuer, "https://ref.supabase.co/auth/v1");
  assert.equal(remote.remoteJwks?.url, "https://ref.supabase.co/auth/v1/.well-known/jwks.json");
  assert.equal(remote.inlineKeySet, null);
  const inline = loadAuthConfig(testAuthEnv({ SUPABASE_JWKS: JSON.stringify(es.jwks) }));
  assert.equal(inline.remoteJwks?.url, "http://127.0.0.1:54321/auth/v1/.well-known/jwks.json");
  assert.equal(typeof inline.inlineKeySet, "function");
});

Deno.test("config: never throws, even when the environment cannot be read", () => {
  const config = loadAuthConfig({
    get() {
      throw new Deno.errors.NotCapable("env access denied");
    },
  });
  assert.ok(config.problems.some((p) => p.issue === "could not be read from the environment"));
  assert.ok(config.problems.length > 0);
});

Deno.test("config: empty values count as unset", () => {
  const config = loadAuthConfig(testAuthEnv({ CRON_SECRET: "", JWT_SECRET: "   " }));
  assert.equal(config.secrets.hasCronSecret, false);
  assert.equal(config.secrets.hasHmacSecret, false);
});

Deno.test("config: problems and printed configs never contain a value", () => {
  const config = loadAuthConfig(testAuthEnv({ SUPABASE_SECRET_KEYS: TEST_JWT_SECRET }));
  const printed = [JSON.stringify(config), Deno.inspect(config, { depth: 10, showHidden: true })];
  for (const text of printed) {
    for (const secret of TEST_SECRETS) assert.ok(!text.includes(secret), "secret printed");
  }
  assert.match(printed[0], /\[redacted\]/);
});

Deno.test("config: misconfiguration wins over any credential, and is never a 401", async () => {
  const config = loadAuthConfig(testAuthEnv({ SUPABASE_JWKS: "not json" }));
  for (const req of [makeRequest(), makeRequest({ bearer: "a.b.c" })]) {
    const reply = await verifyRequest(req, { config, logger: () => {} });
    assert.ok(reply instanceof Response);
    assert.equal(reply.status, 500);
    assert.equal(reply.headers.get("WWW-Authenticate"), null);
    await reply.body?.cancel();
  }
});
