/**
 * Project keys minted the way the Supabase platform mints them, for the local
 * stack (and reusable by test support). Local use only: nothing here talks to
 * a real project.
 *
 * - Legacy API keys: long-lived HS256 JWTs `{iss:"supabase", ref, role, iat, exp}`
 *   signed with the project JWT secret (`anon`, `service_role`).
 * - New API keys: opaque `sb_secret_...` / `sb_publishable_...` strings.
 * - User access tokens (HS256 with the JWT secret): see `user_tokens.ts`.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";

const TEN_YEARS = 10 * 365 * 24 * 3600;

/** `bytes` random bytes as base64url. */
export function randomToken(bytes = 24): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("base64url");
}

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * Signs `payload` as a compact HS256 JWS with header `{alg:"HS256", typ:"JWT", ...header}`.
 *
 * @example
 * const jwt = signHs256Jwt({ sub: "x" }, secret);
 */
export function signHs256Jwt(
  payload: Record<string, unknown>,
  secret: string | Uint8Array,
  header: Record<string, unknown> = {},
): string {
  const input = `${segment({ alg: "HS256", typ: "JWT", ...header })}.${segment(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

/** Options for {@linkcode mintLegacyApiKey}. */
export interface LegacyKeyOptions {
  /** Project ref claim. Default `"edgeguardlocal"`. */
  ref?: string;
  /** Issued-at (seconds). Default: now. */
  iat?: number;
  /** Expiry (seconds). Default: `iat` + 10 years, as the platform issues them. */
  exp?: number;
}

/**
 * A legacy API key (`anon` or `service_role`): an HS256 JWT without `sub`.
 *
 * @example
 * const anon = mintLegacyApiKey("anon", jwtSecret, { ref: "abcdefghijklmnopqrst" });
 */
export function mintLegacyApiKey(
  role: "anon" | "service_role",
  secret: string,
  options: LegacyKeyOptions = {},
): string {
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  const claims = {
    iss: "supabase",
    ref: options.ref ?? "edgeguardlocal",
    role,
    iat,
    exp: options.exp ?? iat + TEN_YEARS,
  };
  return signHs256Jwt(claims, secret);
}

/** A new-style secret API key: `sb_secret_` + random. */
export function newSecretKey(): string {
  return `sb_secret_${randomToken()}`;
}

/** A new-style publishable API key: `sb_publishable_` + random. */
export function newPublishableKey(): string {
  return `sb_publishable_${randomToken()}`;
}

/** A project's keys, as `supabase start` prints them. */
export interface ProjectKeys {
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  secretKey: string;
  publishableKey: string;
  /** `SUPABASE_SECRET_KEYS`: `{"default":"sb_secret_..."}`. */
  secretKeysJson: string;
  /** `SUPABASE_PUBLISHABLE_KEYS`: `{"default":"sb_publishable_..."}`. */
  publishableKeysJson: string;
  cronSecret: string;
}

/** Overrides for {@linkcode generateProjectKeys}; anything unset is generated. */
export interface ProjectKeyOverrides {
  jwtSecret?: string;
  anonKey?: string;
  serviceRoleKey?: string;
  secretKey?: string;
  publishableKey?: string;
  cronSecret?: string;
  /** Project ref in the legacy keys. Default `"edgeguardlocal"`. */
  ref?: string;
}

/**
 * Generates a JWT secret (unless given), legacy anon / service_role keys signed
 * with it, an `sb_secret_` / `sb_publishable_` pair and a cron secret.
 *
 * @throws if `jwtSecret` is shorter than 32 characters (the guard would refuse it).
 * @example
 * const keys = generateProjectKeys({ jwtSecret: Deno.env.get("LOCAL_STACK_JWT_SECRET") });
 */
export function generateProjectKeys(overrides: ProjectKeyOverrides = {}): ProjectKeys {
  const jwtSecret = overrides.jwtSecret ?? `local-dev-${randomToken(30)}`;
  if (jwtSecret.length < 32) throw new Error("the JWT secret must have at least 32 characters");
  const secretKey = overrides.secretKey ?? newSecretKey();
  const publishableKey = overrides.publishableKey ?? newPublishableKey();
  return {
    jwtSecret,
    anonKey: overrides.anonKey ?? mintLegacyApiKey("anon", jwtSecret, { ref: overrides.ref }),
    serviceRoleKey: overrides.serviceRoleKey ??
      mintLegacyApiKey("service_role", jwtSecret, { ref: overrides.ref }),
    secretKey,
    publishableKey,
    secretKeysJson: JSON.stringify({ default: secretKey }),
    publishableKeysJson: JSON.stringify({ default: publishableKey }),
    cronSecret: overrides.cronSecret ?? randomToken(32),
  };
}
