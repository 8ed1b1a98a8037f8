/**
 * Guard overhead against the bare primitives, on the same tokens in the same run:
 *   ./dev bench bench/guard_bench.ts
 * Each group's baseline is the bare operation; deno bench prints the ratios.
 * Target: verifyRequest within 1.3x of bare jose.jwtVerify.
 */
import * as jose from "jose";
import { createHash, timingSafeEqual } from "node:crypto";
import {
  isAuthContext,
  loadAuthConfig,
  type VerifyOptions,
  verifyRequest,
} from "../supabase/functions/_shared/auth-guard.ts";
import {
  createEs256Key,
  mintAdminToken,
  TEST_ISSUER,
  TEST_JWT_SECRET,
  TEST_SECRET_KEY,
  testAuthEnv,
} from "../tests/support/tokens.ts";

const ORG = "0f4b5c8e-1a2b-4c3d-8e9f-00000000000a";
const es = await createEs256Key("bench-es256");
const config = loadAuthConfig(testAuthEnv({ SUPABASE_JWKS: JSON.stringify(es.jwks) }));
const options: VerifyOptions = { config, logger: () => {}, functionName: "bench" };

const hsToken = await mintAdminToken(ORG);
const esToken = await mintAdminToken(ORG, { alg: "ES256", privateKey: es.privateKey, kid: es.kid });
const url = "http://localhost:54321/functions/v1/bench";
const request = (bearer: string) =>
  new Request(url, { headers: { Authorization: `Bearer ${bearer}` } });
const hsRequest = request(hsToken);
const esRequest = request(esToken);
const serviceRequest = request(TEST_SECRET_KEY);

const claims = {
  issuer: TEST_ISSUER,
  audience: "authenticated",
  requiredClaims: ["sub", "exp", "iat", "role"],
};
const secretBytes = new TextEncoder().encode(TEST_JWT_SECRET);
const hmacKey = await crypto.subtle.importKey(
  "raw",
  secretBytes,
  { name: "HMAC", hash: "SHA-256" },
  false,
  ["verify"],
);
const localKeySet = jose.createLocalJWKSet(es.jwks);
const serviceDigest = createHash("sha256").update(TEST_SECRET_KEY).digest();

async function accepted(req: Request) {
  const ctx = await verifyRequest(req, options);
  if (!isAuthContext(ctx)) throw new Error(`bench request rejected: ${ctx.status}`);
}
// Every bench must measure a success path.
await Promise.all([accepted(hsRequest), accepted(esRequest), accepted(serviceRequest)]);
await jose.jwtVerify(hsToken, secretBytes, { ...claims, algorithms: ["HS256"] });
await jose.jwtVerify(esToken, localKeySet, { ...claims, algorithms: ["ES256"] });

Deno.bench(
  "HS256: bare jose.jwtVerify (secret bytes)",
  { group: "hs256", baseline: true },
  async () => {
    await jose.jwtVerify(hsToken, secretBytes, { ...claims, algorithms: ["HS256"] });
  },
);
Deno.bench("HS256: bare jose.jwtVerify (imported CryptoKey)", { group: "hs256" }, async () => {
  await jose.jwtVerify(hsToken, hmacKey, { ...claims, algorithms: ["HS256"] });
});
Deno.bench("HS256: verifyRequest", { group: "hs256" }, async () => {
  await verifyRequest(hsRequest, options);
});

Deno.bench(
  "ES256: bare jose.jwtVerify (local JWKS)",
  { group: "es256", baseline: true },
  async () => {
    await jose.jwtVerify(esToken, localKeySet, { ...claims, algorithms: ["ES256"] });
  },
);
Deno.bench("ES256: verifyRequest (inline SUPABASE_JWKS)", { group: "es256" }, async () => {
  await verifyRequest(esRequest, options);
});

Deno.bench(
  "service key: bare SHA-256 + timingSafeEqual",
  { group: "service", baseline: true },
  () => {
    timingSafeEqual(createHash("sha256").update(TEST_SECRET_KEY).digest(), serviceDigest);
  },
);
Deno.bench("service key: verifyRequest", { group: "service" }, async () => {
  await verifyRequest(serviceRequest, options);
});
