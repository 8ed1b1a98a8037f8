/**
 * Test credentials for unit tests of the guard, shaped as Supabase Auth and the
 * platform issue them (tests that claim "as Supabase Auth issues it" use real
 * tokens from the real Auth server instead: tests/real_auth_test.ts): user
 * access tokens (HS256 with a test JWT secret, or ES256/RS256 with a test
 * signing key and `kid`), legacy `anon` / `service_role` API keys, new
 * `sb_secret_` / `sb_publishable_` keys, and a matching environment.
 *
 * Tokens are assembled by hand (not with jose's SignJWT) so tests can put any
 * header in them: `crit`, odd `kid`s, a lying `alg`.
 *
 * The TEST_* secrets are random per process, or derived from
 * `EDGE_GUARD_TEST_SEED` when it is set (read once, at import), so that
 * `tests/run_tests.ts` can recompute them with `testSecretsFor` and scan
 * every captured log line for them (`_test_secrets.ts`, re-exported here).
 */
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { Buffer } from "node:buffer";
import { randomToken, signHs256Jwt } from "../../supabase/local/keys.ts";
import { legacyKeySync, TEST_ISSUER, TEST_JWT_SECRET } from "./_test_secrets.ts";

export { newPublishableKey, newSecretKey } from "../../supabase/local/keys.ts";
export {
  TEST_ANON_KEY,
  TEST_CRON_SECRET,
  TEST_ISSUER,
  TEST_JWT_SECRET,
  TEST_PUBLISHABLE_KEY,
  TEST_REF,
  TEST_SECRET_KEY,
  TEST_SECRETS,
  TEST_SERVICE_ROLE_KEY,
  TEST_SUPABASE_URL,
  testAuthEnv,
  type TestEnv,
  type TestSecret,
  testSecretsFor,
} from "./_test_secrets.ts";

const b64url = (data: string | Uint8Array) => Buffer.from(data).toString("base64url");
const segment = (value: unknown) => b64url(JSON.stringify(value));

async function signAsymmetric(input: string, alg: "ES256" | "RS256", key: CryptoKey) {
  const params = alg === "ES256"
    ? { name: "ECDSA", hash: "SHA-256" }
    : { name: "RSASSA-PKCS1-v1_5" };
  const signature = await crypto.subtle.sign(params, key, new TextEncoder().encode(input));
  return b64url(new Uint8Array(signature));
}

/** Overrides for {@linkcode mintUserToken}. A claim given as `undefined` is left out of the token. */
export interface UserTokenOverrides {
  sub?: string;
  role?: string;
  aud?: string | string[];
  iss?: string;
  exp?: number;
  iat?: number;
  nbf?: number;
  session_id?: string;
  email?: string;
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
  /** Default "HS256". ES256/RS256 need `privateKey`. */
  alg?: "HS256" | "ES256" | "RS256";
  /** HS256 secret. Default {@linkcode TEST_JWT_SECRET}. */
  secret?: string | Uint8Array;
  privateKey?: CryptoKey;
  kid?: string;
  /** Merged over the protected header last (may even change `alg`). */
  header?: Record<string, unknown>;
  /** Extra claims merged over the payload last. */
  extra?: Record<string, unknown>;
}

const CLAIM_KEYS = [
  "sub",
  "role",
  "aud",
  "iss",
  "exp",
  "iat",
  "nbf",
  "session_id",
  "email",
  "user_metadata",
] as const;

/**
 * Supabase Auth's access-token claim set for a password sign-in (supabase/auth
 * `internal/tokens/service.go`, AccessTokenClaims), the same keys as the real
 * tokens of tests/real_auth_test.ts.
 */
function authClaims(appMetadata: Record<string, unknown> | undefined): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000);
  return {
    iss: TEST_ISSUER,
    sub: crypto.randomUUID(),
    aud: "authenticated",
    exp: iat + 3600,
    iat,
    email: `user-${randomToken(4)}@example.test`,
    phone: "",
    app_metadata: { provider: "email", providers: ["email"], ...appMetadata },
    user_metadata: {},
    role: "authenticated",
    aal: "aal1",
    amr: [{ method: "password", timestamp: iat }],
    session_id: crypto.randomUUID(),
    is_anonymous: false,
  };
}

function userClaims(o: UserTokenOverrides): Record<string, unknown> {
  const claims = authClaims(o.app_metadata);
  for (const key of CLAIM_KEYS) {
    if (!Object.hasOwn(o, key)) continue;
    if (o[key] === undefined) delete claims[key];
    else claims[key] = o[key];
  }
  return { ...claims, ...o.extra };
}

/**
 * Mints a user access token like Supabase Auth: iss `${TEST_SUPABASE_URL}/auth/v1`,
 * aud "authenticated", role "authenticated", a random `sub`, exp = now + 1 h.
 *
 * @example
 * const token = await mintUserToken({ app_metadata: { claims: { integration_admin: true } } });
 */
export async function mintUserToken(overrides: UserTokenOverrides = {}): Promise<string> {
  const alg = overrides.alg ?? "HS256";
  const header = {
    ...(overrides.kid === undefined ? {} : { kid: overrides.kid }),
    ...overrides.header,
  };
  const claims = userClaims(overrides);
  if (alg === "HS256") return signHs256Jwt(claims, overrides.secret ?? TEST_JWT_SECRET, header);
  if (overrides.privateKey === undefined) throw new Error(`${alg} tokens need a privateKey`);
  const input = `${segment({ alg, typ: "JWT", ...header })}.${segment(claims)}`;
  return `${input}.${await signAsymmetric(input, alg, overrides.privateKey)}`;
}

/** A user token for an integration admin of `orgId` (`app_metadata.claims`). */
export function mintAdminToken(orgId: string, overrides: UserTokenOverrides = {}): Promise<string> {
  const claims = { integration_admin: true, organization_id: orgId };
  const appMetadata = { ...overrides.app_metadata, claims };
  return mintUserToken({ ...overrides, app_metadata: appMetadata });
}

/** An unsigned `alg: "none"` token with the usual user claims. */
export function mintUnsignedToken(overrides: UserTokenOverrides = {}): string {
  const header = { alg: "none", typ: "JWT", ...overrides.header };
  return `${segment(header)}.${segment(userClaims(overrides))}.`;
}

/** A legacy API key (a long-lived HS256 JWT without `sub`), as the platform issues. */
export function mintLegacyKey(
  role: "anon" | "service_role",
  secret: string = TEST_JWT_SECRET,
): Promise<string> {
  return Promise.resolve(legacyKeySync(role, secret));
}

/** An asymmetric signing key and the JWKS that publishes its public half. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
  jwks: { keys: JWK[] };
}

async function createSigningKey(alg: "ES256" | "RS256", kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, privateKey, publicKey, publicJwk, jwks: { keys: [publicJwk] } };
}

/** An ES256 (P-256) signing key like Supabase's asymmetric JWT keys. */
export function createEs256Key(kid: string = crypto.randomUUID()): Promise<SigningKey> {
  return createSigningKey("ES256", kid);
}

/** An RS256 (2048-bit) signing key. */
export function createRs256Key(kid: string = crypto.randomUUID()): Promise<SigningKey> {
  return createSigningKey("RS256", kid);
}
