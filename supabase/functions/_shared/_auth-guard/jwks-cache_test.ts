/**
 * Issue 11: an Auth outage over a fake clock. Keys fetched, Auth down, tokens
 * still accepted through the grace (one `jwks_stale` warning a minute), refused
 * after it, fetches bounded by the failure backoff and the kid cooldown.
 * The fake JWKS endpoint answers as GoTrue's `/.well-known/jwks.json` does
 * (supabase/auth internal/api/jwks.go: 200 `{"keys":[...]}`).
 */
import assert from "node:assert/strict";
import { type AuthConfig, loadAuthConfig } from "../auth-guard.ts";
import { createEs256Key, mintAdminToken, testAuthEnv } from "../../../../tests/support/tokens.ts";
import {
  captureLogs,
  makeRequest,
  ORG_A,
  runGuard,
} from "../../../../tests/support/guard_harness.ts";

const URL_BASE = "http://auth.invalid";
const key1 = await createEs256Key("key-1");
const key2 = await createEs256Key("key-2");
const T0 = Date.parse("2026-11-23T10:00:00Z");
const MIN = 60_000;
const HOUR = 60 * MIN;

function remoteConfig(): AuthConfig {
  const base = loadAuthConfig(testAuthEnv({ SUPABASE_URL: URL_BASE }));
  assert.ok(base.remoteJwks);
  assert.equal(base.remoteJwks.graceMs, 24 * HOUR, "default grace 24 h");
  return { ...base };
}

/** A fake Auth: up (200 + keys) or down (503, or a network error), counting fetches. */
function fakeAuth() {
  let mode: "up" | "503" | "refused" = "up";
  let fetches = 0;
  const impl: typeof fetch = (input) => {
    fetches++;
    assert.equal(String(input), `${URL_BASE}/auth/v1/.well-known/jwks.json`);
    if (mode === "refused") return Promise.reject(new TypeError("connection refused"));
    if (mode === "503") return Promise.resolve(new Response("down", { status: 503 }));
    return Promise.resolve(Response.json({ keys: [key1.publicJwk] }));
  };
  return { impl, fetches: () => fetches, set: (m: typeof mode) => void (mode = m) };
}

const token = (key = key1) =>
  mintAdminToken(ORG_A, {
    alg: "ES256",
    privateKey: key.privateKey,
    kid: key.kid,
    iss: `${URL_BASE}/auth/v1`,
    iat: T0 / 1000,
    exp: T0 / 1000 + 3 * 24 * 3600,
  });

interface Step {
  at: number;
  auth: "up" | "503" | "refused";
  key?: typeof key1;
  status: number;
  fetches: number;
  staleWarnings: number;
}

const TIMELINE: [string, Step][] = [
  ["first token fetches the keys", {
    at: 0,
    auth: "up",
    status: 200,
    fetches: 1,
    staleWarnings: 0,
  }],
  ["Auth down, keys fresh: no fetch", {
    at: 5 * MIN,
    auth: "503",
    status: 200,
    fetches: 1,
    staleWarnings: 0,
  }],
  ["keys stale, refresh fails: stale keys accepted", {
    at: 11 * MIN,
    auth: "503",
    status: 200,
    fetches: 2,
    staleWarnings: 1,
  }],
  ["within the failure backoff: no fetch, no new warning", {
    at: 11 * MIN + 1_000,
    auth: "503",
    status: 200,
    fetches: 2,
    staleWarnings: 1,
  }],
  ["after the backoff: one fetch, warning still within the minute", {
    at: 11 * MIN + 10_000,
    auth: "refused",
    status: 200,
    fetches: 3,
    staleWarnings: 1,
  }],
  ["a minute later: a second warning", {
    at: 12 * MIN + 10_000,
    auth: "refused",
    status: 200,
    fetches: 4,
    staleWarnings: 2,
  }],
  ["unknown kid while stale: 503, no extra fetch", {
    at: 12 * MIN + 11_000,
    auth: "refused",
    key: key2,
    status: 503,
    fetches: 4,
    staleWarnings: 2,
  }],
  ["23 h later, still in the grace", {
    at: 23 * HOUR,
    auth: "503",
    status: 200,
    fetches: 5,
    staleWarnings: 3,
  }],
  ["grace over: 503", {
    at: 24 * HOUR + 11 * MIN,
    auth: "503",
    status: 503,
    fetches: 6,
    staleWarnings: 3,
  }],
  ["Auth back: fresh keys, 200", {
    at: 24 * HOUR + 12 * MIN,
    auth: "up",
    status: 200,
    fetches: 7,
    staleWarnings: 3,
  }],
];

Deno.test("jwks grace: an Auth outage over a fake clock", async (t) => {
  const config = remoteConfig();
  const auth = fakeAuth();
  const logs = captureLogs();
  let clock = T0;
  const options = { config, fetch: auth.impl, now: () => new Date(clock), logger: logs.logger };
  for (const [name, step] of TIMELINE) {
    await t.step(name, async () => {
      clock = T0 + step.at;
      auth.set(step.auth);
      const got = await runGuard(makeRequest({ bearer: await token(step.key) }), options);
      assert.equal(got.status, step.status);
      assert.equal(auth.fetches(), step.fetches, "fetches");
      const stale = logs.events().filter((e) => e.event === "jwks_stale");
      assert.equal(stale.length, step.staleWarnings, "jwks_stale warnings");
      assert.ok(stale.every((e) => e.level === "warn"));
    });
  }
});

Deno.test("jwks grace: never fetched and Auth down -> 503, one fetch per backoff", async () => {
  const config = remoteConfig();
  const auth = fakeAuth();
  auth.set("refused");
  let clock = T0;
  const options = { config, fetch: auth.impl, now: () => new Date(clock), logger: () => {} };
  for (const at of [0, 1_000, 2_000, 6_000]) {
    clock = T0 + at;
    const got = await runGuard(makeRequest({ bearer: await token() }), options);
    assert.deepEqual([got.status, got.error], [503, "auth_unavailable"]);
  }
  assert.equal(auth.fetches(), 2);
});

Deno.test("jwks grace: unknown kid with Auth up -> at most one refresh per cooldown", async () => {
  const config = remoteConfig();
  const auth = fakeAuth();
  let clock = T0;
  const options = { config, fetch: auth.impl, now: () => new Date(clock), logger: () => {} };
  const statuses: number[] = [];
  for (
    const [at, key] of [[0, key1], [40_000, key2], [41_000, key2], [50_000, key2], [
      71_000,
      key2,
    ]] as const
  ) {
    clock = T0 + at;
    statuses.push((await runGuard(makeRequest({ bearer: await token(key) }), options)).status);
  }
  assert.deepEqual(statuses, [200, 401, 401, 401, 401]);
  assert.equal(auth.fetches(), 3, "initial fetch, then one per 30 s cooldown");
});

Deno.test("jwks grace: JWKS_GRACE_SECONDS sets the grace; a bad value is a config problem", () => {
  const set = loadAuthConfig(
    testAuthEnv({ SUPABASE_URL: URL_BASE, JWKS_GRACE_SECONDS: "3600" }),
  );
  assert.equal(set.remoteJwks?.graceMs, HOUR);
  const bad = loadAuthConfig(testAuthEnv({ JWKS_GRACE_SECONDS: "a day" }));
  assert.deepEqual(bad.problems.map((p) => p.setting), ["JWKS_GRACE_SECONDS"]);
});
