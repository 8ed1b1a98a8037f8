/**
 * The test project's constants and secrets, behind `tokens.ts` (which
 * re-exports all but `legacyKeySync`). The TEST_* secrets are random per process, or
 * derived from `EDGE_GUARD_TEST_SEED` when it is set (read once, at import), so
 * that `tests/run_tests.ts` can recompute them with {@linkcode testSecretsFor}
 * and scan every captured log line for them.
 *
 * @module
 */
import { createHmac } from "node:crypto";
import { mintLegacyApiKey, randomToken } from "../../supabase/local/keys.ts";

/** The local project URL the test tokens and environment name. */
export const TEST_SUPABASE_URL = "http://127.0.0.1:54321";
/** Supabase Auth's issuer for {@linkcode TEST_SUPABASE_URL}. */
export const TEST_ISSUER = `${TEST_SUPABASE_URL}/auth/v1`;
/** Project ref in the legacy test keys. */
export const TEST_REF = "edgeguardlocal";

const FAR_FUTURE = 4_102_444_800; // 2100-01-01

function readSeed(): string | null {
  try {
    return Deno.env.get("EDGE_GUARD_TEST_SEED") || null;
  } catch {
    return null; // no env permission: random secrets
  }
}

/** A legacy key as the test project holds it: fixed `iat`, `exp` in 2100, ref {@linkcode TEST_REF}. */
export function legacyKeySync(role: "anon" | "service_role", secret: string): string {
  return mintLegacyApiKey(role, secret, { ref: TEST_REF, iat: 1_700_000_000, exp: FAR_FUTURE });
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
    // The tests' fakes (Odoo, webhooks) listen on 127.0.0.1 over plain http.
    OUTBOUND_ALLOW_PRIVATE: "true",
    ...overrides,
  };
  const defined = Object.fromEntries(
    Object.entries(vars).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return { get: (name) => defined[name], vars: Object.freeze(defined) };
}
