/**
 * Algorithm confusion: an attacker takes the project's public ES256/RS256 key
 * (published in the JWKS) and uses it, in PEM or JWK JSON form, as the HMAC
 * secret of an HS256 token. The guard picks the key by configuration, never by
 * the token, so every such token is refused: `bad_signature` when HS256 is
 * enabled (JWT_SECRET), `alg_not_allowed` when only asymmetric keys are.
 * A positive control signs the same claims with the real secret.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { type AuthConfig, loadAuthConfig } from "../supabase/functions/_shared/auth-guard.ts";
import {
  createEs256Key,
  createRs256Key,
  type SigningKey,
  TEST_ISSUER,
  TEST_JWT_SECRET,
  testAuthEnv,
} from "./support/tokens.ts";
import { startJwksServer } from "./support/jwks_server.ts";
import { makeRequest, ORG_A, runGuard } from "./support/guard_harness.ts";
import { b64u, hmacSign, publicKeyForms } from "./support/fuzz.ts";

const es = await createEs256Key("es-signing-key");
const rs = await createRs256Key("rs-signing-key");
const jwks = { keys: [es.publicJwk, rs.publicJwk] };

function claims(iss = TEST_ISSUER) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss,
    aud: "authenticated",
    sub: crypto.randomUUID(),
    role: "authenticated",
    iat: now,
    exp: now + 3600,
    app_metadata: { claims: { integration_admin: true, organization_id: ORG_A } },
  };
}

/** HS256 token signed with `secret`, optionally naming the public key's kid. */
function hs256(secret: string | Uint8Array, kid: string | null, iss?: string): string {
  const header = kid === null ? { alg: "HS256", typ: "JWT" } : { alg: "HS256", typ: "JWT", kid };
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims(iss)))}`;
  return `${input}.${hmacSign(input, secret)}`;
}

async function rawForms(key: SigningKey): Promise<(string | Uint8Array)[]> {
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", key.publicKey));
  const forms: (string | Uint8Array)[] = [spki, Buffer.from(spki).toString("base64")];
  if (key.publicJwk.kty === "EC") {
    const raw = new Uint8Array(await crypto.subtle.exportKey("raw", key.publicKey));
    forms.push(raw, Buffer.from(raw).toString("base64url"));
  } else {
    forms.push(String(key.publicJwk.n));
  }
  return forms;
}

const KEYS: [string, SigningKey][] = [["ES256", es], ["RS256", rs]];
const attempts: { name: string; secret: string | Uint8Array; kid: string | null }[] = [];
for (const [alg, key] of KEYS) {
  const [pem, pemTrimmed, jwk, bareJwk, set] = await publicKeyForms(key);
  const named = {
    "PEM": pem,
    "PEM (trimmed)": pemTrimmed,
    "JWK JSON": jwk,
    "JWK JSON (bare)": bareJwk,
    "JWKS JSON": set,
  }; // deno-fmt-ignore
  for (const [form, secret] of Object.entries(named)) {
    for (const kid of [key.kid, null]) {
      attempts.push({ name: `${alg} public key as ${form}${kid ? ", kid set" : ""}`, secret, kid });
    }
  }
  for (const [i, secret] of (await rawForms(key)).entries()) {
    attempts.push({ name: `${alg} public key, raw form ${i}`, secret, kid: key.kid });
  }
}

const CONFIGS: { name: string; reason: string; config: () => AuthConfig }[] = [
  {
    name: "HS256 and inline JWKS",
    reason: "bad_signature",
    config: () => loadAuthConfig(testAuthEnv({ SUPABASE_JWKS: JSON.stringify(jwks) })),
  },
  {
    name: "inline JWKS only",
    reason: "alg_not_allowed",
    config: () =>
      loadAuthConfig(testAuthEnv({ SUPABASE_JWKS: JSON.stringify(jwks), JWT_SECRET: undefined })),
  },
];

for (const { name, reason, config } of CONFIGS) {
  Deno.test(`alg confusion (${name}): HS256 signed with a public key -> 401 ${reason}`, async () => {
    const options = { config: config() };
    assert.ok(attempts.length >= 20);
    for (const attempt of attempts) {
      const got = await runGuard(
        makeRequest({ bearer: hs256(attempt.secret, attempt.kid) }),
        options,
      );
      assert.equal(got.status, 401, attempt.name);
      assert.equal(got.error, "invalid_token", attempt.name);
      const line = got.events.find((e) => e.event === "auth_rejected");
      assert.equal(line?.rejection_reason, reason, attempt.name);
    }
  });
}

Deno.test("alg confusion: the same claims signed with the real secret are accepted (control)", async () => {
  const config = loadAuthConfig(testAuthEnv({ SUPABASE_JWKS: JSON.stringify(jwks) }));
  for (const kid of [null, es.kid]) {
    const got = await runGuard(makeRequest({ bearer: hs256(TEST_JWT_SECRET, kid) }), { config });
    assert.equal(got.status, 200);
    assert.equal(got.ctx?.via, "user_jwt");
  }
});

Deno.test("alg confusion against the remote JWKS: refused, and no key fetch", async () => {
  const server = startJwksServer(jwks);
  try {
    const env = testAuthEnv({ SUPABASE_URL: server.url, JWT_SECRET: undefined });
    const config = loadAuthConfig(env);
    assert.ok(config.remoteJwks);
    const [pem, , jwk] = await publicKeyForms(es);
    for (const secret of [pem, jwk]) {
      const token = hs256(secret, es.kid, `${server.url}/auth/v1`);
      const got = await runGuard(makeRequest({ bearer: token }), { config });
      assert.equal(got.status, 401);
      assert.equal(got.error, "invalid_token");
    }
    assert.equal(server.fetchCount(), 0, "an HS256 token never makes the guard fetch keys");
  } finally {
    await server.close();
  }
});
