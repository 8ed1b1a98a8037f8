/**
 * Guard decision latency against its peers, on the same tokens in the same run:
 *   ./dev bench bench/peers_bench.ts
 *
 * Contenders: `verifyRequest`; a bare `jose.jwtVerify` (the floor);
 * `@supabase/server`'s `verifyAuth` (the official peer); supabase-js
 * `auth.getClaims()` and `auth.getUser()` against a local Supabase Auth
 * stand-in (tests/support/auth_server.ts: GET /auth/v1/user and the JWKS, on
 * 127.0.0.1 in this process: no TLS, no network distance, no database, so
 * getUser here is a lower bound of the real round trip). Against the real
 * Supabase Auth on the same real token: bench/real_auth_bench.ts.
 *
 * Groups: HS256; ES256 with a cached remote JWKS; the service key; rejection
 * (a bad HS256 signature). The baseline of each group is the floor, except in
 * "rejection", whose baseline is the guard accepting the same token untampered.
 */
import * as jose from "jose";
import { createHash, timingSafeEqual } from "node:crypto";
import { verifyAuth } from "@supabase/server/core";
import { createClient } from "@supabase/supabase-js";
import {
  isAuthContext,
  loadAuthConfig,
  type VerifyOptions,
  verifyRequest,
} from "../supabase/functions/_shared/auth-guard.ts";
import { createLogger } from "../supabase/functions/_shared/log.ts";
import {
  createEs256Key,
  mintAdminToken,
  TEST_ANON_KEY,
  TEST_JWT_SECRET,
  TEST_SECRET_KEY,
  testAuthEnv,
} from "../tests/support/tokens.ts";
import { JWKS_PATH, startAuthServer } from "../tests/support/auth_server.ts";
import { tamperSignature } from "../tests/support/guard_table.ts";

const ORG = "0f4b5c8e-1a2b-4c3d-8e9f-00000000000a";
const HS_KID = "bench-hs256"; // verifyAuth needs a kid, even on HS256 tokens
const es = await createEs256Key("bench-es256");
const auth = startAuthServer({
  jwtSecret: TEST_JWT_SECRET,
  jwks: es.jwks,
  apiKeys: [TEST_ANON_KEY],
});
auth.unref();
const issuer = `${auth.url}/auth/v1`;

// The guard, as deployed: HS256 via JWT_SECRET, ES256 via the project's remote JWKS.
const guard: VerifyOptions = {
  config: loadAuthConfig(testAuthEnv({ SUPABASE_URL: auth.url })),
  logger: createLogger(() => {}), // formats every rejection line, writes it nowhere
  functionName: "bench",
};

const hsToken = await mintAdminToken(ORG, { kid: HS_KID, iss: issuer });
const esToken = await mintAdminToken(ORG, {
  alg: "ES256",
  privateKey: es.privateKey,
  kid: es.kid,
  iss: issuer,
});
const badToken = tamperSignature(hsToken);
// Requests are built once: the platform builds them, not the guard (GET, no body to consume).
const request = (headers: Record<string, string>) =>
  new Request("http://localhost:54321/functions/v1/bench", { headers });
const bearer = (token: string) => request({ Authorization: `Bearer ${token}` });
const hsRequest = bearer(hsToken);
const esRequest = bearer(esToken);
const badRequest = bearer(badToken);
const malformedRequest = bearer(`${hsToken.split(".")[0]}.not-a-jwt`);
const serviceRequest = request({ apikey: TEST_SECRET_KEY });

// The floor: jose with the HMAC key imported once, and a warmed remote JWKS.
const pinned = {
  issuer,
  audience: "authenticated",
  requiredClaims: ["sub", "exp", "iat", "role"],
};
const hmacKey = await crypto.subtle.importKey(
  "raw",
  new TextEncoder().encode(TEST_JWT_SECRET),
  { name: "HMAC", hash: "SHA-256" },
  false,
  ["verify"],
);
const remoteJwks = jose.createRemoteJWKSet(new URL(`${auth.url}${JWKS_PATH}`));
const joseHs = () => jose.jwtVerify(hsToken, hmacKey, { ...pinned, algorithms: ["HS256"] });
const joseEs = () => jose.jwtVerify(esToken, remoteJwks, { ...pinned, algorithms: ["ES256"] });

// @supabase/server: HS256 needs the secret as an `oct` JWK in the JWKS; ES256 uses the URL.
const octJwk = { kty: "oct", k: jose.base64url.encode(TEST_JWT_SECRET), alg: "HS256", kid: HS_KID };
const peerEnv = (jwks: { keys: jose.JWK[] } | URL) => ({
  url: auth.url,
  publishableKeys: {},
  secretKeys: { default: TEST_SECRET_KEY },
  jwks,
});
const peerHs = {
  auth: "user" as const,
  issuer,
  audience: "authenticated",
  env: peerEnv({ keys: [octJwk] }),
};
const peerEs = {
  auth: "user" as const,
  issuer,
  audience: "authenticated",
  env: peerEnv(new URL(`${auth.url}${JWKS_PATH}`)),
};
const peerSecret = { auth: "secret" as const, env: peerEnv({ keys: [] }) };

const supabase = createClient(auth.url, TEST_ANON_KEY, {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
});

async function guardAccepts(req: Request) {
  if (!isAuthContext(await verifyRequest(req, guard))) {
    throw new Error("guard refused a good token");
  }
}
async function guardRefuses(req: Request) {
  const res = await verifyRequest(req, guard);
  if (isAuthContext(res) || res.status !== 401) throw new Error("guard accepted a bad token");
}
async function peerAccepts(req: Request, options: Parameters<typeof verifyAuth>[1]) {
  const { error } = await verifyAuth(req, options);
  if (error) throw new Error(`verifyAuth refused: ${error.code}`);
}
async function userOf(token: string, ok: boolean) {
  const { data, error } = await supabase.auth.getUser(token);
  if ((data.user !== null) !== ok) throw new Error(`getUser: ${error?.message}`);
}
async function claimsOf(token: string, ok: boolean) {
  const { data } = await supabase.auth.getClaims(token);
  if ((data !== null) !== ok) throw new Error("getClaims disagreed");
}

// Every contender must decide correctly (and warm its caches) before timing starts.
await Promise.all([
  joseHs(),
  joseEs(),
  guardAccepts(hsRequest),
  guardAccepts(esRequest),
]);
await guardAccepts(serviceRequest);
await peerAccepts(hsRequest, peerHs);
await peerAccepts(esRequest, peerEs);
await peerAccepts(serviceRequest, peerSecret);
await Promise.all([userOf(hsToken, true), userOf(esToken, true), userOf(badToken, false)]);
await Promise.all([claimsOf(hsToken, true), claimsOf(esToken, true), claimsOf(badToken, false)]);
await guardRefuses(badRequest);

const g = (group: string, baseline = false) => ({ group, baseline });

Deno.bench("HS256: jose.jwtVerify, key imported once (floor)", g("hs256", true), async () => {
  await joseHs();
});
Deno.bench("HS256: verifyRequest (guard)", g("hs256"), async () => {
  await guardAccepts(hsRequest);
});
Deno.bench(
  "HS256: @supabase/server verifyAuth",
  g("hs256"),
  async () => {
    await peerAccepts(hsRequest, peerHs);
  },
);
Deno.bench(
  "HS256: supabase-js getClaims (falls back to /user)",
  g("hs256"),
  async () => {
    await claimsOf(hsToken, true);
  },
);
Deno.bench(
  "HS256: supabase-js getUser (GET /auth/v1/user)",
  g("hs256"),
  async () => {
    await userOf(hsToken, true);
  },
);

Deno.bench("ES256: jose.jwtVerify, warmed remote JWKS (floor)", g("es256", true), async () => {
  await joseEs();
});
Deno.bench(
  "ES256: verifyRequest (guard, cached JWKS)",
  g("es256"),
  async () => {
    await guardAccepts(esRequest);
  },
);
Deno.bench(
  "ES256: @supabase/server verifyAuth (cached JWKS)",
  g("es256"),
  async () => {
    await peerAccepts(esRequest, peerEs);
  },
);
Deno.bench("ES256: supabase-js getClaims (cached JWKS)", g("es256"), async () => {
  await claimsOf(esToken, true);
});
Deno.bench(
  "ES256: supabase-js getUser (GET /auth/v1/user)",
  g("es256"),
  async () => {
    await userOf(esToken, true);
  },
);

const secretDigest = createHash("sha256").update(TEST_SECRET_KEY).digest();
Deno.bench("service key: SHA-256 + timingSafeEqual (floor)", g("service", true), () => {
  timingSafeEqual(createHash("sha256").update(TEST_SECRET_KEY).digest(), secretDigest);
});
Deno.bench(
  "service key: verifyRequest (guard, apikey)",
  g("service"),
  async () => {
    await guardAccepts(serviceRequest);
  },
);
Deno.bench(
  "service key: @supabase/server verifyAuth (secret)",
  g("service"),
  async () => {
    await peerAccepts(serviceRequest, peerSecret);
  },
);

Deno.bench(
  "rejection: verifyRequest accepting the untampered token",
  g("reject", true),
  async () => {
    await guardAccepts(hsRequest);
  },
);
Deno.bench(
  "rejection: verifyRequest, bad signature -> 401 + log line",
  g("reject"),
  async () => {
    await guardRefuses(badRequest);
  },
);
Deno.bench("rejection: verifyRequest, malformed token -> 401 + log line", g("reject"), async () => {
  await guardRefuses(malformedRequest);
});
Deno.bench("rejection: jose.jwtVerify, bad signature (throws)", g("reject"), async () => {
  await jose.jwtVerify(badToken, hmacKey, { ...pinned, algorithms: ["HS256"] }).catch(() => {});
});
Deno.bench("rejection: @supabase/server verifyAuth, bad signature", g("reject"), async () => {
  const { error } = await verifyAuth(badRequest, peerHs);
  if (error === null) throw new Error("verifyAuth accepted a bad token");
});
Deno.bench(
  "rejection: supabase-js getUser, bad signature (403)",
  g("reject"),
  async () => {
    await userOf(badToken, false);
  },
);
