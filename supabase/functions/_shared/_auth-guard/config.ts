/**
 * Reads the guard's settings from the environment, once, and records every
 * problem by setting name (never by value).
 */
import type { Logger } from "../log.ts";
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "./jose.ts";
import { projectRef } from "./legacy.ts";
import { AuthSecrets } from "./secrets.ts";
import type { AuthConfig, ConfigProblem, RemoteJwksConfig } from "./types.ts";

/** Anything with `get(name)`, such as `Deno.env`. */
export interface EnvReader {
  get(name: string): string | undefined;
}

const MIN_JWT_SECRET_LENGTH = 32;
const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];
const CAN_VERIFY = [
  "JWT_SECRET",
  "SUPABASE_JWKS",
  "SUPABASE_URL",
  "SUPABASE_SERVICE_ROLE_KEY",
  "SUPABASE_SECRET_KEYS",
  "CRON_SECRET",
];

type Problems = ConfigProblem[];

function read(env: EnvReader, setting: string, problems: Problems): string | null {
  try {
    const value = env.get(setting);
    return value === undefined || value.trim() === "" ? null : value;
  } catch {
    problems.push({ setting, issue: "could not be read from the environment" });
    return null;
  }
}

function parseBaseUrl(raw: string | null, problems: Problems): string | null {
  if (raw === null) return null;
  const base = raw.trim().replace(/\/+$/, "");
  try {
    const url = new URL(base);
    if (url.protocol === "https:" || url.protocol === "http:") return base;
  } catch { /* reported below */ }
  problems.push({ setting: "SUPABASE_URL", issue: "is not an http(s) URL" });
  return null;
}

/** `{"name":"key",...}` -> the keys. Records a problem when malformed. */
function parseKeyMap(setting: string, raw: string | null, problems: Problems): string[] {
  if (raw === null) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
      const values = Object.values(parsed);
      if (values.every((v) => typeof v === "string" && v !== "")) return values as string[];
    }
  } catch { /* reported below */ }
  problems.push({ setting, issue: "must be a JSON object mapping names to non-empty key strings" });
  return [];
}

function isPublicJwk(jwk: unknown): boolean {
  if (jwk === null || typeof jwk !== "object" || Array.isArray(jwk)) return false;
  const record = jwk as Record<string, unknown>;
  return typeof record.kty === "string" && PRIVATE_JWK_MEMBERS.every((m) => !(m in record));
}

function parseJwks(raw: string | null, problems: Problems): JWTVerifyGetKey | null {
  if (raw === null) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    const keys = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown } | null)?.keys;
    if (Array.isArray(keys) && keys.length > 0 && keys.every(isPublicJwk)) {
      return createLocalJWKSet({ keys } as JSONWebKeySet);
    }
  } catch { /* reported below */ }
  problems.push({
    setting: "SUPABASE_JWKS",
    issue: 'must be a JSON Web Key Set ({"keys":[...]} or [...]) of public keys',
  });
  return null;
}

const DAY_MS = 86_400_000;

function parseGrace(raw: string | null, problems: Problems): number {
  if (raw === null) return DAY_MS;
  const seconds = Number(raw.trim());
  if (Number.isSafeInteger(seconds) && seconds >= 0) return seconds * 1000;
  problems.push({ setting: "JWKS_GRACE_SECONDS", issue: "must be a whole number >= 0" });
  return DAY_MS;
}

/** The project's JWKS URL; with an inline SUPABASE_JWKS too, it is asked only for a kid not in it. */
function remoteJwksFor(base: string | null, graceMs: number): RemoteJwksConfig | null {
  if (base === null) return null;
  return {
    url: `${base}/auth/v1/.well-known/jwks.json`,
    timeoutMs: 3_000,
    cooldownMs: 30_000,
    cacheMaxAgeMs: 600_000,
    graceMs,
  };
}

function checkCoverage(
  config: Omit<AuthConfig, "problems">,
  jwtSecret: string | null,
  problems: Problems,
) {
  const { secrets } = config;
  const verifiesUsers = secrets.hasHmacSecret || config.inlineKeySet !== null ||
    config.remoteJwks !== null;
  if (!verifiesUsers && !secrets.hasServiceKeys && !secrets.hasCronSecret) {
    problems.push({
      setting: CAN_VERIFY.join(", "),
      issue: "none is set; no caller can be verified",
    });
  }
  if (jwtSecret !== null && jwtSecret.length < MIN_JWT_SECRET_LENGTH) {
    problems.push({ setting: "JWT_SECRET", issue: "is shorter than 32 characters" });
  }
  if ((jwtSecret !== null || config.inlineKeySet !== null) && config.issuer === null) {
    problems.push({
      setting: "SUPABASE_URL",
      issue: "is required to check the issuer of user tokens",
    });
  }
}

/**
 * Builds the guard's configuration from environment variables. Pure; never throws.
 * Every problem is recorded in `problems` by setting name.
 */
export function loadAuthConfig(env: EnvReader = Deno.env): AuthConfig {
  const problems: Problems = [];
  const get = (name: string) => read(env, name, problems);
  const base = parseBaseUrl(get("SUPABASE_URL"), problems);
  const jwtSecret = get("JWT_SECRET");
  const rawJwks = get("SUPABASE_JWKS");
  const serviceRoleKey = get("SUPABASE_SERVICE_ROLE_KEY");
  const anonKey = get("SUPABASE_ANON_KEY");
  const secrets = new AuthSecrets({
    serviceKeys: [
      ...(serviceRoleKey === null ? [] : [serviceRoleKey]),
      ...parseKeyMap("SUPABASE_SECRET_KEYS", get("SUPABASE_SECRET_KEYS"), problems),
    ],
    nonServiceKeys: [
      ...(anonKey === null ? [] : [anonKey]),
      ...parseKeyMap("SUPABASE_PUBLISHABLE_KEYS", get("SUPABASE_PUBLISHABLE_KEYS"), problems),
    ],
    cronSecret: get("CRON_SECRET"),
    jwtSecret,
  });
  const config = {
    issuer: base === null ? null : `${base}/auth/v1`,
    inlineKeySet: parseJwks(rawJwks, problems),
    remoteJwks: remoteJwksFor(base, parseGrace(get("JWKS_GRACE_SECONDS"), problems)),
    secrets,
    projectRef: jwtSecret === null ? null : projectRef([serviceRoleKey, anonKey], base),
  };
  checkCoverage(config, jwtSecret, problems);
  return Object.freeze({ ...config, problems: Object.freeze(problems) });
}

let processConfig: AuthConfig | undefined;
const announced = new WeakSet<AuthConfig>();

/** The config for a call: `options.config`, or the process config read once from `Deno.env`. Logs problems once per config. */
export function resolveConfig(explicit: AuthConfig | undefined, logger: Logger): AuthConfig {
  const config = explicit ?? (processConfig ??= loadAuthConfig(Deno.env));
  if (config.problems.length > 0 && !announced.has(config)) {
    announced.add(config);
    logger("error", "auth_config_invalid", { phase: "startup", ...describeProblems(config) });
  }
  return config;
}

/** Log fields naming the problem settings. */
export function describeProblems(config: AuthConfig): Record<string, unknown> {
  return {
    settings: [...new Set(config.problems.map((p) => p.setting))],
    problems: config.problems.map((p) => `${p.setting} ${p.issue}`),
  };
}
