/**
 * Known JWT attacks and claim checks: alg none, HS/ES algorithm swapping,
 * tampering, exp/nbf (via options.now), iss/aud/sub/role, crit and key headers,
 * kid tricks, anon/publishable keys presented as tokens, oversized input.
 */
import { Buffer } from "node:buffer";
import {
  mintLegacyKey,
  mintUnsignedToken,
  newPublishableKey,
  newSecretKey,
  TEST_ANON_KEY,
  TEST_PUBLISHABLE_KEY,
  TEST_SECRET_KEY,
  TEST_SERVICE_ROLE_KEY,
} from "../../../../tests/support/tokens.ts";
import { guardKeys, makeRequest, ORG_A, ORG_B } from "../../../../tests/support/guard_harness.ts";
import {
  bearer,
  bearerOf,
  defineGuardTable,
  type GuardCase,
  invalid,
  tamperPayload,
  tamperSignature,
} from "../../../../tests/support/guard_table.ts";

const { es, rs, config, asymmetricOnly, admin, esAdmin } = await guardKeys();
const HOUR_MS = 3_600_000;

const pemOf = async (key: CryptoKey) => {
  const spki = Buffer.from(await crypto.subtle.exportKey("spki", key)).toString("base64");
  return `-----BEGIN PUBLIC KEY-----\n${spki}\n-----END PUBLIC KEY-----\n`;
};

const CASES: GuardCase[] = [
  // JWT attacks and claim checks.
  invalid("alg none", () => bearer(mintUnsignedToken()), "alg_none"),
  invalid("alg NONE", () => bearer(mintUnsignedToken({ header: { alg: "NONE" } })), "alg_none"),
  invalid(
    "alg HS512 not allowed",
    () => bearerOf(admin(ORG_A, { header: { alg: "HS512" } })),
    "alg_not_allowed",
  ),
  invalid(
    "HS256 token whose HMAC secret is the EC public key (PEM)",
    async () => bearerOf(admin(ORG_A, { secret: await pemOf(es.publicKey), kid: es.kid })),
    "bad_signature",
  ),
  invalid(
    "HS256 token whose HMAC secret is the public JWK",
    () => bearerOf(admin(ORG_A, { secret: JSON.stringify(es.publicJwk), kid: es.kid })),
    "bad_signature",
  ),
  invalid(
    "HS256 token signed with the EC public key when JWT_SECRET is unset",
    async () => bearerOf(admin(ORG_A, { secret: await pemOf(es.publicKey), kid: es.kid })),
    "alg_not_allowed",
    { options: { config: asymmetricOnly } },
  ),
  invalid(
    "ES256 header on an HMAC-signed token",
    () => bearerOf(admin(ORG_A, { header: { alg: "ES256", kid: es.kid } })),
    "bad_signature",
  ),
  invalid(
    "tampered payload (org swapped to B)",
    async () =>
      bearer(tamperPayload(await admin(), (c) => {
        c.app_metadata = { claims: { integration_admin: true, organization_id: ORG_B } };
      })),
    "bad_signature",
  ),
  invalid(
    "tampered HS256 signature",
    async () => bearer(tamperSignature(await admin())),
    "bad_signature",
  ),
  invalid(
    "tampered ES256 signature",
    async () => bearer(tamperSignature(await esAdmin())),
    "bad_signature",
  ),
  invalid("expired (clock 2 h ahead)", () => bearerOf(admin()), "expired", {
    options: { config, now: () => new Date(Date.now() + 2 * HOUR_MS) },
  }),
  invalid("expired exp in the past", () => bearerOf(admin(ORG_A, { exp: 1_000_000 })), "expired"),
  invalid(
    "nbf in the future",
    () => bearerOf(admin(ORG_A, { nbf: Math.floor(Date.now() / 1000) + 600 })),
    "not_yet_valid",
  ),
  invalid(
    "wrong iss",
    () => bearerOf(admin(ORG_A, { iss: "https://evil.example/auth/v1" })),
    "wrong_issuer",
  ),
  invalid("missing iss", () => bearerOf(admin(ORG_A, { iss: undefined })), "missing_iss"),
  invalid("wrong aud", () => bearerOf(admin(ORG_A, { aud: "anon" })), "wrong_audience"),
  invalid("missing sub", () => bearerOf(admin(ORG_A, { sub: undefined })), "missing_sub"),
  invalid("empty sub", () => bearerOf(admin(ORG_A, { sub: "" })), "missing_sub"),
  invalid("missing exp", () => bearerOf(admin(ORG_A, { exp: undefined })), "missing_exp"),
  invalid(
    "role anon",
    () => bearerOf(admin(ORG_A, { role: "anon", sub: "anon-sub" })),
    "wrong_role",
    {
      identity: "anon-sub",
    },
  ),
  invalid(
    "role service_role with a sub",
    () => bearerOf(admin(ORG_A, { role: "service_role" })),
    "wrong_role",
  ),
  invalid(
    "wrong HS256 secret",
    () => bearerOf(admin(ORG_A, { secret: "x".repeat(40) })),
    "bad_signature",
  ),
  invalid("legacy anon key as Bearer", () => bearer(TEST_ANON_KEY), "anon_or_publishable_key"),
  invalid(
    "publishable key as Bearer",
    () => bearer(TEST_PUBLISHABLE_KEY),
    "anon_or_publishable_key",
  ),
  invalid("unknown sb_secret_ key", () => bearer(newSecretKey()), "unknown_api_key"),
  invalid("unknown sb_publishable_ key", () => bearer(newPublishableKey()), "unknown_api_key"),
  invalid(
    "sb_secret_ key of the right length, one character off",
    () => bearer(TEST_SECRET_KEY.slice(0, -1) + (TEST_SECRET_KEY.endsWith("A") ? "B" : "A")),
    "unknown_api_key",
  ),
  invalid(
    "service_role key with its signature tampered",
    () => bearer(tamperSignature(TEST_SERVICE_ROLE_KEY)),
    "service_jwt_bad_signature",
  ),
  invalid(
    "anon key of another project",
    async () => bearer(await mintLegacyKey("anon", "another-project-secret-0123456789abcdef")),
    "bad_signature",
  ),
  invalid(
    "crit header",
    () => bearerOf(admin(ORG_A, { header: { crit: ["exp"] } })),
    "crit_header",
  ),
  invalid(
    "jku header",
    () => bearerOf(esAdmin({ header: { jku: "https://evil.example/jwks.json" } })),
    "key_in_header",
  ),
  invalid(
    "embedded jwk header",
    () => bearerOf(esAdmin({ header: { jwk: es.publicJwk } })),
    "key_in_header",
  ),
  invalid(
    "path-traversal kid",
    () => bearerOf(esAdmin({ kid: "../../../../etc/passwd" })),
    "unknown_kid",
  ),
  invalid("unknown kid", () => bearerOf(esAdmin({ kid: "rotated-away" })), "unknown_kid"),
  invalid("non-string kid", () => bearerOf(esAdmin({ header: { kid: 7 } })), "bad_kid"),
  invalid("300-character kid", () => bearerOf(esAdmin({ kid: "k".repeat(300) })), "bad_kid"),
  invalid(
    "RS256 token with the EC key's kid",
    () => bearerOf(admin(ORG_A, { alg: "RS256", privateKey: rs.privateKey, kid: es.kid })),
    "unknown_kid",
  ),
  invalid(
    "huge JWT header segment",
    () => bearerOf(admin(ORG_A, { header: { pad: "p".repeat(2000) } })),
    "oversized",
  ),
  invalid(
    "huge Authorization header",
    () => bearerOf(admin(ORG_A, { extra: { pad: "p".repeat(9000) } })),
    "oversized",
  ),
  invalid("huge apikey header", () => makeRequest({ apikey: "a".repeat(9000) }), "oversized"),
  invalid(
    "huge x-cron-secret header",
    () => makeRequest({ cronSecret: "c".repeat(9000) }),
    "oversized",
  ),
];

defineGuardTable("jwt", CASES, { config });
