/**
 * ES256 user tokens checked against the project's remote JWKS (a local server):
 * fetched lazily and once, cached through outages, refreshed on rotation, and
 * "keys unavailable" is a 503, never a 401.
 */
import assert from "node:assert/strict";
import { type AuthConfig, loadAuthConfig, type VerifyOptions } from "../auth-guard.ts";
import { createEs256Key, mintAdminToken, testAuthEnv } from "../../../../tests/support/tokens.ts";
import { type JwksMode, startJwksServer } from "../../../../tests/support/jwks_server.ts";
import { makeRequest, ORG_A, runGuard } from "../../../../tests/support/guard_harness.ts";

const key1 = await createEs256Key("key-1");
const key2 = await createEs256Key("key-2");

function countingFetch() {
  let calls = 0;
  const impl: typeof fetch = (input, init) => {
    calls++;
    return fetch(input, init);
  };
  return { impl, calls: () => calls };
}

function remoteConfig(url: string, remote: Partial<AuthConfig["remoteJwks"]> = {}): AuthConfig {
  const base = loadAuthConfig(testAuthEnv({ SUPABASE_URL: url }));
  assert.ok(base.remoteJwks);
  return { ...base, remoteJwks: { ...base.remoteJwks, ...remote } };
}

function esToken(url: string, key = key1, kid = key.kid) {
  return mintAdminToken(ORG_A, {
    alg: "ES256",
    privateKey: key.privateKey,
    kid,
    iss: `${url}/auth/v1`,
  });
}

async function call(token: string, options: VerifyOptions) {
  return await runGuard(makeRequest({ bearer: token }), options);
}

Deno.test("jwks: keys are fetched lazily, once, and reused across requests", async () => {
  const server = startJwksServer(key1.jwks);
  try {
    const config = remoteConfig(server.url);
    const counter = countingFetch();
    assert.equal(server.fetchCount(), 0, "nothing fetched before the first ES256 token");
    for (let i = 0; i < 3; i++) {
      const got = await call(await esToken(server.url), { config, fetch: counter.impl });
      assert.equal(got.status, 200);
      assert.equal(got.ctx?.via, "user_jwt");
    }
    assert.equal(server.fetchCount(), 1);
    assert.equal(counter.calls(), 1);
  } finally {
    await server.close();
  }
});

Deno.test("jwks: HS256 tokens and service keys never fetch keys", async () => {
  const server = startJwksServer(key1.jwks);
  try {
    const config = remoteConfig(server.url);
    const hs = await mintAdminToken(ORG_A, { iss: `${server.url}/auth/v1` });
    assert.equal((await call(hs, { config })).status, 200);
    assert.equal(server.fetchCount(), 0);
  } finally {
    await server.close();
  }
});

const UNAVAILABLE: { mode: JwksMode; reason: string }[] = [
  { mode: "down", reason: "jwks_unavailable" },
  { mode: "garbage", reason: "jwks_unavailable" },
  { mode: "slow", reason: "jwks_timeout" },
];

for (const { mode, reason } of UNAVAILABLE) {
  Deno.test(`jwks: server ${mode} -> 503 auth_unavailable (${reason}), never 401`, async () => {
    const server = startJwksServer(key1.jwks, { mode, slowMs: 2_000 });
    try {
      const config = remoteConfig(server.url, { timeoutMs: 150 });
      const got = await call(await esToken(server.url), { config });
      assert.equal(got.status, 503);
      assert.equal(await got.response?.text(), '{"error":"auth_unavailable"}');
      assert.equal(got.response?.headers.get("WWW-Authenticate"), null);
      const logged = got.events.find((e) => e.event === "auth_unavailable");
      assert.equal(logged?.level, "error");
      assert.equal(logged?.reason, reason);
      assert.equal(server.fetchCount(), 1);
    } finally {
      await server.close();
    }
  });
}

Deno.test("jwks: connection refused -> 503 auth_unavailable", async () => {
  const server = startJwksServer(key1.jwks);
  const url = server.url;
  await server.close();
  const got = await call(await esToken(url), { config: remoteConfig(url) });
  assert.equal(got.status, 503);
  assert.equal(got.error, "auth_unavailable");
});

Deno.test("jwks: cached keys keep working when the server later goes down", async () => {
  const server = startJwksServer(key1.jwks);
  try {
    const config = remoteConfig(server.url);
    const token = await esToken(server.url);
    assert.equal((await call(token, { config })).status, 200);
    server.setMode("down");
    assert.equal((await call(token, { config })).status, 200);
    assert.equal(server.fetchCount(), 1);
  } finally {
    await server.close();
  }
});

Deno.test("jwks: unknown kid on a fetched set -> 401 invalid_token (unknown_kid)", async () => {
  const server = startJwksServer(key1.jwks);
  try {
    const config = remoteConfig(server.url);
    const got = await call(await esToken(server.url, key2), { config });
    assert.equal(got.status, 401);
    assert.equal(got.error, "invalid_token");
    assert.equal(
      got.events.find((e) => e.event === "auth_rejected")?.rejection_reason,
      "unknown_kid",
    );
  } finally {
    await server.close();
  }
});

Deno.test("jwks: a rotated-in key is picked up without a redeploy", async () => {
  const server = startJwksServer(key1.jwks);
  try {
    const config = remoteConfig(server.url, { cooldownMs: 0 });
    assert.equal((await call(await esToken(server.url, key1), { config })).status, 200);
    assert.equal((await call(await esToken(server.url, key2), { config })).status, 401);
    server.setJwks({ keys: [key1.publicJwk, key2.publicJwk] });
    assert.equal((await call(await esToken(server.url, key2), { config })).status, 200);
    assert.equal((await call(await esToken(server.url, key1), { config })).status, 200);
    assert.equal(server.fetchCount(), 3);
  } finally {
    await server.close();
  }
});

Deno.test("jwks: options.keySet replaces the remote JWKS", async () => {
  const server = startJwksServer(key1.jwks, { mode: "down" });
  try {
    const config = remoteConfig(server.url);
    const keySet = (() => Promise.resolve(key2.publicKey)) as VerifyOptions["keySet"];
    const got = await call(await esToken(server.url, key2), { config, keySet });
    assert.equal(got.status, 200);
    assert.equal(server.fetchCount(), 0);
  } finally {
    await server.close();
  }
});

Deno.test("jwks: a key set that throws is 'unavailable', not the caller's fault", async () => {
  const config = loadAuthConfig(testAuthEnv());
  const keySet = (() => Promise.reject(new TypeError("boom"))) as VerifyOptions["keySet"];
  const token = await mintAdminToken(ORG_A, {
    alg: "ES256",
    privateKey: key1.privateKey,
    kid: "key-1",
  });
  const got = await call(token, { config, keySet });
  assert.equal(got.status, 503);
  assert.equal(got.error, "auth_unavailable");
});

Deno.test("jwks: inline SUPABASE_JWKS first; a kid it lacks is looked up in the project's JWKS", async () => {
  const server = startJwksServer({ keys: [key1.publicJwk, key2.publicJwk] });
  try {
    const config = loadAuthConfig(
      testAuthEnv({ SUPABASE_URL: server.url, SUPABASE_JWKS: JSON.stringify(key1.jwks) }),
    );
    assert.equal((await call(await esToken(server.url, key1), { config })).status, 200);
    assert.equal(server.fetchCount(), 0, "a kid in SUPABASE_JWKS needs no fetch");
    const rotated = await call(await esToken(server.url, key2), { config });
    assert.equal(rotated.status, 200);
    assert.equal(server.fetchCount(), 1);
    const unknown = await call(await esToken(server.url, key2, "no-such-kid"), { config });
    assert.equal(unknown.status, 401);
    assert.equal(server.fetchCount(), 1, "one refresh per cooldown");
  } finally {
    await server.close();
  }
});

Deno.test("jwks: inline SUPABASE_JWKS and Auth unreachable: a kid it lacks is 401, not 503", async () => {
  const server = startJwksServer(key2.jwks);
  const url = server.url;
  await server.close();
  const config = loadAuthConfig(
    testAuthEnv({ SUPABASE_URL: url, SUPABASE_JWKS: JSON.stringify(key1.jwks) }),
  );
  assert.equal((await call(await esToken(url, key1), { config })).status, 200);
  const got = await call(await esToken(url, key2), { config });
  assert.equal(got.status, 401);
  assert.equal(got.error, "invalid_token");
});
