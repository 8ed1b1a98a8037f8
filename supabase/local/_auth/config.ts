/**
 * The environment the local Supabase Auth runs with. Names and defaults are
 * supabase/auth v2.196.0's (`internal/conf/configuration.go`, `example.env`);
 * values follow a hosted project's defaults: issuer `<project URL>/auth/v1`,
 * audience and default role `authenticated`, access tokens for 3600 s,
 * refresh-token rotation on with a 10 s reuse interval, `service_role` as the
 * admin role. Anonymous sign-ins are on (a hosted project switches them on in
 * its settings) so the guard's refusal of them is tested against real
 * tokens. Internal: use `../auth.ts`.
 */
import { gotrueJwtKeys, type SigningJwk } from "./keys.ts";

/** Where the Auth build lives (`./dev` exports both; docs/third-party.md). */
export interface AuthBuild {
  /** The `auth` binary (`EDGE_GUARD_AUTH_BIN`). */
  bin: string;
  /** Its migrations folder (`EDGE_GUARD_AUTH_MIGRATIONS`). */
  migrations: string;
}

/** What one Auth process is configured with. */
export interface AuthSettings {
  /** The cluster's `postgres` URL; Auth connects as `supabase_auth_admin` on the same server. */
  dbUrl: string;
  /** Project URL (the gateway); tokens carry `iss` = `<projectUrl>/auth/v1`. */
  projectUrl: string;
  /** The legacy HS256 JWT secret (signs in HS256 mode, verifies always). */
  jwtSecret: string;
  /** ES256 keys, the first signing; empty = legacy HS256 signing. */
  signingKeys: readonly SigningJwk[];
  /** GOTRUE_JWT_EXP, seconds. */
  jwtExpSeconds: number;
  /** Where `auth serve` listens on 127.0.0.1. */
  port: number;
}

/** The same server and database as `dbUrl`, as the role `supabase_auth_admin` (trust auth locally). */
export function authAdminUrl(dbUrl: string): string {
  const u = new URL(dbUrl);
  u.username = "supabase_auth_admin";
  u.password = "";
  return u.toString();
}

/** The variables `auth migrate` needs (its config loader requires the JWT and URL settings too). */
export function migrateEnv(dbUrl: string, build: AuthBuild): Record<string, string> {
  return {
    DATABASE_URL: authAdminUrl(dbUrl),
    GOTRUE_DB_DRIVER: "postgres",
    DB_NAMESPACE: "auth",
    GOTRUE_DB_MIGRATIONS_PATH: build.migrations,
    GOTRUE_JWT_SECRET: crypto.randomUUID() + crypto.randomUUID(),
    API_EXTERNAL_URL: "http://127.0.0.1/auth/v1",
    GOTRUE_SITE_URL: "http://127.0.0.1",
    GOTRUE_LOG_LEVEL: "error",
  };
}

/** The variables of `auth serve` for these settings. */
export function serveEnv(s: AuthSettings, build: AuthBuild): Record<string, string> {
  const project = s.projectUrl.replace(/\/+$/, "");
  const keys = gotrueJwtKeys(s.signingKeys, s.jwtSecret);
  return {
    ...migrateEnv(s.dbUrl, build),
    // A kept pool, as a hosted Auth server has: with the default idle pool of 0
    // every request would open a new database connection.
    GOTRUE_DB_MAX_POOL_SIZE: "10",
    GOTRUE_DB_MAX_IDLE_POOL_SIZE: "10",
    GOTRUE_API_HOST: "127.0.0.1",
    PORT: String(s.port),
    API_EXTERNAL_URL: `${project}/auth/v1`,
    GOTRUE_SITE_URL: project,
    GOTRUE_URI_ALLOW_LIST: `${project}/**`,
    GOTRUE_JWT_SECRET: s.jwtSecret,
    ...(keys === null ? {} : { GOTRUE_JWT_KEYS: keys }),
    GOTRUE_JWT_ISSUER: `${project}/auth/v1`,
    GOTRUE_JWT_AUD: "authenticated",
    GOTRUE_JWT_DEFAULT_GROUP_NAME: "authenticated",
    GOTRUE_JWT_ADMIN_ROLES: "service_role",
    GOTRUE_JWT_EXP: String(s.jwtExpSeconds),
    GOTRUE_SECURITY_REFRESH_TOKEN_ROTATION_ENABLED: "true",
    GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL: "10",
    GOTRUE_EXTERNAL_EMAIL_ENABLED: "true",
    GOTRUE_MAILER_AUTOCONFIRM: "true",
    GOTRUE_EXTERNAL_ANONYMOUS_USERS_ENABLED: "true",
    GOTRUE_DISABLE_SIGNUP: "false",
    // No mail server locally; nothing here sends mail (users are created confirmed).
    GOTRUE_SMTP_HOST: "",
    // Tests sign in many times from 127.0.0.1; hosted limits are per client IP.
    GOTRUE_RATE_LIMIT_TOKEN_REFRESH: "100000",
    GOTRUE_RATE_LIMIT_ANONYMOUS_USERS: "100000",
    GOTRUE_RATE_LIMIT_VERIFY: "100000",
    GOTRUE_LOG_LEVEL: "warn",
  };
}
