/**
 * The remote JWKS under attack and outage (complements
 * supabase/functions/_shared/_auth-guard/jwks_test.ts, which covers one request
 * per failure mode): random unknown `kid`s must not cause a fetch storm, users
 * whose keys are cached keep working through an outage, and when no key can be
 * had at all every request is a logged 503 `auth_unavailable`, never a 401.
 */
import assert from "node:assert/strict";
import { type AuthConfig, loadAuthConfig } from "../supabase/functions/_shared/auth-guard.ts";
import { createEs256Key, mintAdminToken, type SigningKey, testAuthEnv } from "./support/tokens.ts";
import { type JwksServer, startJwksServer } from "./support/jwks_server.ts";
import { makeRequest, ORG_A, type Outcome, runGuard } from "./support/guard_harness.ts";

const published = await createEs256Key("published-key");
const unpublished = await createEs256Key("unpublished-key");

function remoteConfig(url: string, remote: Partial<AuthConfig["remoteJwks"]> = {}): AuthConfig {
  const base = loadAuthConfig(testAuthEnv({ SUPABASE_URL: url }));
  assert.ok(base.remoteJwks);
  return { ...base, remoteJwks: { ...base.remoteJwks, ...remote } };
}

function token(server: JwksServer, key: SigningKey = published, kid: string = key.kid) {
  const iss = `${server.url}/auth/v1`;
  return mintAdminToken(ORG_A, { alg: "ES256", privateKey: key.privateKey, kid, iss });
}

async function call(t: string, config: AuthConfig): Promise<Outcome> {
  const got = await runGuard(makeRequest({ bearer: t }), { config });
  await got.response?.body?.cancel();
  return got;
}

const reasonOf = (o: Outcome) =>
  o.events.find((e) => e.event === "auth_rejected")?.rejection_reason;

async function withServer(fn: (server: JwksServer) => Promise<void>, mode: "ok" | "down" = "ok") {
  const server = startJwksServer(published.jwks, { mode, slowMs: 2_000 });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

function assertUnknownKid(outcomes: Outcome[]) {
  for (const o of outcomes) {
    assert.equal(o.status, 401);
    assert.equal(o.error, "invalid_token");
    assert.equal(reasonOf(o), "unknown_kid");
  }
}

Deno.test("jwks storm: 500 requests with random unknown kids -> at most 2 fetches, all 401", async () => {
  await withServer(async (server) => {
    const config = remoteConfig(server.url);
    const tokens = await Promise.all(
      Array.from({ length: 500 }, () => token(server, unpublished, crypto.randomUUID())),
    );
    // Cold start: the first 250 arrive together, before any key is cached.
    assertUnknownKid(await Promise.all(tokens.slice(0, 250).map((t) => call(t, config))));
    // Then one at a time, each unknown kid a fresh reason to refetch (refused: cooldown).
    const sequential: Outcome[] = [];
    for (const t of tokens.slice(250)) sequential.push(await call(t, config));
    assertUnknownKid(sequential);
    assert.equal((await call(await token(server), config)).status, 200, "known kid still works");
    assert.ok(server.fetchCount() <= 2, `${server.fetchCount()} JWKS fetches for 501 requests`);
  });
});

Deno.test("jwks storm: after the cooldown, a burst of unknown kids refetches once", async () => {
  await withServer(async (server) => {
    const config = remoteConfig(server.url, { cooldownMs: 0 });
    assert.equal((await call(await token(server), config)).status, 200);
    const tokens = await Promise.all(
      Array.from({ length: 200 }, () => token(server, unpublished, crypto.randomUUID())),
    );
    assertUnknownKid(await Promise.all(tokens.map((t) => call(t, config))));
    // One initial fetch plus the concurrent refetches, which share one request.
    assert.ok(server.fetchCount() <= 3, `${server.fetchCount()} fetches`);
  });
});

const OUTAGES = [
  { name: "down (503)", apply: (s: JwksServer) => s.setMode("down") },
  { name: "slow (beyond the timeout)", apply: (s: JwksServer) => s.setMode("slow") },
  { name: "garbage (200, not JSON)", apply: (s: JwksServer) => s.setMode("garbage") },
  { name: "not a JWKS (200, JSON)", apply: (s: JwksServer) => s.setJwks({ keys: "none" }) },
];

for (const outage of OUTAGES) {
  Deno.test(`jwks outage, keys cached: ${outage.name} -> users keep working`, async () => {
    await withServer(async (server) => {
      const config = remoteConfig(server.url, { timeoutMs: 150 });
      assert.equal((await call(await token(server), config)).status, 200);
      outage.apply(server);
      const tokens = await Promise.all(Array.from({ length: 50 }, () => token(server)));
      const outcomes = await Promise.all(tokens.map((t) => call(t, config)));
      assert.deepEqual(new Set(outcomes.map((o) => o.status)), new Set([200]));
      // Within the cooldown an unknown kid is the caller's problem, and costs no fetch.
      const stranger = await call(await token(server, unpublished), config);
      assert.equal(stranger.status, 401);
      assert.equal(server.fetchCount(), 1);
    });
  });

  Deno.test(`jwks outage, nothing cached: ${outage.name} -> every request a logged 503`, async () => {
    await withServer(async (server) => {
      outage.apply(server);
      const config = remoteConfig(server.url, { timeoutMs: 150 });
      const tokens = await Promise.all(Array.from({ length: 23 }, () => token(server)));
      const burst = await Promise.all(tokens.slice(0, 20).map((t) => call(t, config)));
      const sequential: Outcome[] = [];
      for (const t of tokens.slice(20)) sequential.push(await call(t, config));
      for (const o of [...burst, ...sequential]) {
        assert.equal(o.status, 503, "never a 401 that blames the caller");
        assert.equal(o.error, "auth_unavailable");
        const logged = o.events.filter((e) => e.event === "auth_unavailable");
        assert.equal(logged.length, 1);
        assert.equal(logged[0].level, "error");
        assert.match(String(logged[0].reason), /^jwks_(unavailable|timeout)$/);
        assert.equal(o.events.filter((e) => e.event === "auth_rejected").length, 0);
      }
      // A concurrent burst shares one fetch, and after the failure the guard backs off
      // (JWKS_FAILURE_BACKOFF_MS) instead of hitting the down Auth server per request.
      assert.equal(server.fetchCount(), 1, `${server.fetchCount()} fetches`);
    });
  });
}

// Issue 11: stale keys are kept through an outage for the grace; past it, 503 (never 401).
const STALE: { name: string; graceMs: number; status: number; event: string }[] = [
  {
    name: "within the grace: the stale keys verify",
    graceMs: 60_000,
    status: 200,
    event: "jwks_stale",
  },
  {
    name: "grace 0: 503 auth_unavailable, never 401",
    graceMs: 0,
    status: 503,
    event: "auth_unavailable",
  },
];

for (const c of STALE) {
  Deno.test(`jwks outage, cached keys past their max age, ${c.name}`, async () => {
    await withServer(async (server) => {
      const config = remoteConfig(server.url, {
        cacheMaxAgeMs: 1,
        timeoutMs: 150,
        graceMs: c.graceMs,
      });
      assert.equal((await call(await token(server), config)).status, 200);
      server.setMode("down");
      await new Promise((resolve) => setTimeout(resolve, 20)); // let the 1 ms cache age out
      const got = await call(await token(server), config);
      assert.equal(got.status, c.status);
      assert.ok(got.events.some((e) => e.event === c.event), c.event);
      assert.equal(got.events.filter((e) => e.event === "auth_rejected").length, 0);
      assert.equal(server.fetchCount(), 2);
    });
  });
}
