/**
 * The pieces around the real Auth binary that need no Auth process: the one
 * clear line when `./dev` did not provide the build, the keys Auth is given,
 * and the `/auth/v1` route (prefix stripped, open routes, apikey, CORS) in
 * front of a recording upstream. Real Auth itself: tests/real_auth_test.ts.
 */
import assert from "node:assert/strict";
import { AUTH_MOUNT_PREFIX, authBuild, authProxy, generateSigningKey } from "./auth.ts";
import { gotrueJwtKeys, publicJwk } from "./_auth/keys.ts";

Deno.test("authBuild: without ./dev's variables, one line naming ./dev", () => {
  assert.throws(() => authBuild({ get: () => undefined }), (err: Error) => {
    assert.match(err.message, /EDGE_GUARD_AUTH_BIN.*run through \.\/dev/);
    assert.equal(err.message.includes("\n"), false);
    return true;
  });
  const env = new Map([["EDGE_GUARD_AUTH_BIN", "/b/auth"], ["EDGE_GUARD_AUTH_MIGRATIONS", "/m"]]);
  assert.deepEqual(authBuild(env), { bin: "/b/auth", migrations: "/m" });
});

Deno.test("keys: one signing key, the others and the legacy secret verify-only; no private parts published", async () => {
  const [a, b] = [await generateSigningKey("a"), await generateSigningKey("b")];
  const keys = JSON.parse(gotrueJwtKeys([a, b], "s".repeat(40))!);
  assert.deepEqual(keys.map((k: { key_ops: string[] }) => k.key_ops), [
    ["sign", "verify"],
    ["verify"],
    ["verify"],
  ]);
  assert.deepEqual([keys[2].kty, keys[2].alg], ["oct", "HS256"]);
  assert.equal(gotrueJwtKeys([], "s".repeat(40)), null, "no keys: legacy HS256 signing");
  assert.equal("d" in publicJwk(a), false);
});

Deno.test("authProxy: strips /auth/v1, open routes need no apikey, others need a known one", async () => {
  const seen: string[] = [];
  const upstream = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    seen.push(`${req.method} ${url.pathname}${url.search}`);
    return Response.json({ ok: true });
  });
  const proxy = authProxy({ upstream: `http://127.0.0.1:${upstream.addr.port}`, apiKeys: ["k1"] });
  const call = (path: string, init: RequestInit = {}) =>
    proxy.handle(new Request(`http://gw${path}`, init));
  try {
    assert.equal(proxy.prefix, AUTH_MOUNT_PREFIX);
    const jwks = await call("/auth/v1/.well-known/jwks.json");
    assert.equal(jwks.status, 200);
    await jwks.body?.cancel();
    const none = await call("/auth/v1/health");
    assert.deepEqual([none.status, await none.json()], [401, {
      message: "No API key found in request",
    }]);
    const wrong = await call("/auth/v1/health", { headers: { apikey: "nope" } });
    assert.deepEqual([wrong.status, await wrong.json()], [401, { message: "Invalid API key" }]);
    const token = await call("/auth/v1/token?grant_type=password", {
      method: "POST",
      headers: { apikey: "k1", origin: "http://app.test" },
      body: "{}",
    });
    assert.equal(token.status, 200);
    assert.equal(token.headers.get("access-control-allow-origin"), "http://app.test");
    await token.body?.cancel();
    const preflight = await call("/auth/v1/token", {
      method: "OPTIONS",
      headers: {
        origin: "http://app.test",
        "access-control-request-headers": "apikey, x-client-info",
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-headers"), "apikey, x-client-info");
    assert.deepEqual(seen, ["GET /.well-known/jwks.json", "POST /token?grant_type=password"]);
  } finally {
    await upstream.shutdown();
  }
});
