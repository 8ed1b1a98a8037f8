/**
 * Test credentials minted the way Supabase Auth and the platform mint them:
 * user access tokens (HS256 with the project JWT secret, or ES256/RS256 with a
 * signing key and `kid`), legacy `anon` / `service_role` API keys, new
 * `sb_secret_` / `sb_publishable_` keys, and a matching environment.
 *
 * Tokens are assembled by hand (not with jose's SignJWT) so tests can put any
 * header in them: `crit`, odd `kid`s, a lying `alg`.
 *
 * The TEST_* secrets are random per process, or derived from
 * `EDGE_GUARD_TEST_SEED` when it is set (read once, at import), so that
 * `scripts/run_tests.ts` can recompute them with {@linkcode testSecretsFor}
 * and scan every captured log line for them.
 */
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";

export const TEST_SUPABASE_URL = "http://127.0.0.1:54321";
export const TEST_ISSUER = `${TEST_SUPABASE_URL}/auth/v1`;
export const TEST_REF = "edgeguardlocal";

const FAR_FUTURE = 4_102_444_800; // 2100-01-01

function randomToken(bytes = 24): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("base64url");
}

function readSeed(): string | null {
  try {
    return Deno.env.get("EDGE_GUARD_TEST_SEED") || null;
  } catch {
    return null; // no env permission: random secrets
  }
}

const b64url = (data: string | Uint8Array) => Buffer.from(data).toString("base64url");
const segment = (value: unknown) => b64url(JSON.stringify(value));

function signHs256(input: string, secret: string | Uint8Array): string {
  return createHmac("sha256", secret).update(input).digest("base64url");
}

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

function userClaims(o: UserTokenOverrides): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: TEST_ISSUER,
    aud: "authenticated",
    sub: crypto.randomUUID(),
    exp: iat + 3600,
    iat,
    email: `user-${randomToken(4)}@example.test`,
    phone: "",
    app_metadata: { provider: "email", providers: ["email"], ...o.app_metadata },
    user_metadata: {},
    role: "authenticated",
    aal: "aal1",
    amr: [{ method: "password", timestamp: iat }],
    session_id: crypto.randomUUID(),
    is_anonymous: false,
  };
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
    alg,
    typ: "JWT",
    ...(overrides.kid === undefined ? {} : { kid: overrides.kid }),
    ...overrides.header,
  };
  const input = `${segment(header)}.${segment(userClaims(overrides))}`;
  if (alg === "HS256") return `${input}.${signHs256(input, overrides.secret ?? TEST_JWT_SECRET)}`;
  if (overrides.privateKey === undefined) throw new Error(`${alg} tokens need a privateKey`);
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

function legacyKeySync(role: "anon" | "service_role", secret: string): string {
  const claims = { iss: "supabase", ref: TEST_REF, role, iat: 1_700_000_000, exp: FAR_FUTURE };
  const input = `${segment({ alg: "HS256", typ: "JWT" })}.${segment(claims)}`;
  return `${input}.${signHs256(input, secret)}`;
}

/** A legacy API key (a long-lived HS256 JWT without `sub`), as the platform issues. */
export function mintLegacyKey(
  role: "anon" | "service_role",
  secret: string = TEST_JWT_SECRET,
): Promise<string> {
  return Promise.resolve(legacyKeySync(role, secret));
}

/** A new-style secret API key: `sb_secret_` + random. */
export function newSecretKey(): string {
  return `sb_secret_${randomToken()}`;
}

/** A new-style publishable API key: `sb_publishable_` + random. */
export function newPublishableKey(): string {
  return `sb_publishable_${randomToken()}`;
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

interface SecretMaterial {
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  secretKey: string;
  publishableKey: string;
  cronSecret: string;
}

// Without a seed: random. With one: HMAC-SHA256(seed, label), so every process
// given the same seed (the tests, and run_tests.ts scanning their logs) agrees.
function secretMaterial(seed: string | null): SecretMaterial {
  const pick = (label: string, bytes: number) =>
    seed === null
      ? randomToken(bytes)
      : createHmac("sha256", seed).update(label).digest().subarray(0, bytes).toString("base64url");
  const jwtSecret = pick("jwt_secret", 30); // 40 characters; the guard needs 32
  return {
    jwtSecret,
    anonKey: legacyKeySync("anon", jwtSecret),
    serviceRoleKey: legacyKeySync("service_role", jwtSecret),
    secretKey: `sb_secret_${pick("secret_key", 24)}`,
    publishableKey: `sb_publishable_${pick("publishable_key", 24)}`,
    cronSecret: pick("cron_secret", 32),
  };
}

const MATERIAL = secretMaterial(readSeed());

export const TEST_JWT_SECRET: string = MATERIAL.jwtSecret;
export const TEST_ANON_KEY: string = MATERIAL.anonKey;
export const TEST_SERVICE_ROLE_KEY: string = MATERIAL.serviceRoleKey;
export const TEST_SECRET_KEY: string = MATERIAL.secretKey;
export const TEST_PUBLISHABLE_KEY: string = MATERIAL.publishableKey;
export const TEST_CRON_SECRET: string = MATERIAL.cronSecret;

/** Every secret value of the default test environment, for "never logged" checks. */
export const TEST_SECRETS: readonly string[] = [
  TEST_JWT_SECRET,
  TEST_ANON_KEY,
  TEST_SERVICE_ROLE_KEY,
  TEST_SECRET_KEY,
  TEST_PUBLISHABLE_KEY,
  TEST_CRON_SECRET,
];

/** One test secret and the name of its kind (reports name the kind, never the value). */
export interface TestSecret {
  kind: string;
  value: string;
}

/**
 * The TEST_* secrets that a process started with `EDGE_GUARD_TEST_SEED=seed`
 * uses, with their kinds.
 *
 * @example
 * for (const { kind, value } of testSecretsFor(seed)) if (log.includes(value)) fail(kind);
 */
export function testSecretsFor(seed: string): TestSecret[] {
  const m = secretMaterial(seed);
  return [
    { kind: "JWT secret (TEST_JWT_SECRET)", value: m.jwtSecret },
    { kind: "anon key (TEST_ANON_KEY)", value: m.anonKey },
    { kind: "service_role key (TEST_SERVICE_ROLE_KEY)", value: m.serviceRoleKey },
    { kind: "secret key (TEST_SECRET_KEY)", value: m.secretKey },
    { kind: "publishable key (TEST_PUBLISHABLE_KEY)", value: m.publishableKey },
    { kind: "cron secret (TEST_CRON_SECRET)", value: m.cronSecret },
  ];
}

/** An environment reader plus the variables it serves. */
export interface TestEnv {
  get(name: string): string | undefined;
  readonly vars: Readonly<Record<string, string>>;
}

/**
 * The environment of a local project (synchronous: the keys are pre-minted):
 * SUPABASE_URL, JWT_SECRET, SUPABASE_ANON_KEY, SUPABASE_SERVICE_ROLE_KEY,
 * SUPABASE_SECRET_KEYS, SUPABASE_PUBLISHABLE_KEYS, CRON_SECRET. SUPABASE_JWKS is
 * unset. An override of `undefined` removes the variable.
 *
 * @example
 * const config = loadAuthConfig(testAuthEnv({ CRON_SECRET: undefined }));
 */
export function testAuthEnv(overrides: Record<string, string | undefined> = {}): TestEnv {
  const vars: Record<string, string | undefined> = {
    SUPABASE_URL: TEST_SUPABASE_URL,
    JWT_SECRET: TEST_JWT_SECRET,
    SUPABASE_ANON_KEY: TEST_ANON_KEY,
    SUPABASE_SERVICE_ROLE_KEY: TEST_SERVICE_ROLE_KEY,
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: TEST_SECRET_KEY }),
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: TEST_PUBLISHABLE_KEY }),
    CRON_SECRET: TEST_CRON_SECRET,
    ...overrides,
  };
  const defined = Object.fromEntries(
    Object.entries(vars).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return { get: (name) => defined[name], vars: Object.freeze(defined) };
}
