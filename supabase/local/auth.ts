/**
 * Supabase Auth (GoTrue) itself, for the local stack and the tests: the
 * binary built from the pinned source (tools/third_party.tsv; `./dev` exports
 * `EDGE_GUARD_AUTH_BIN` and `EDGE_GUARD_AUTH_MIGRATIONS`, docs/third-party.md).
 *
 * - {@linkcode migrateAuth}: `auth migrate` as `supabase_auth_admin`, which
 *   owns the `auth` schema (created by `20_auth.sql` as hosted projects have
 *   it before any Auth migration); Auth's own migrations create its tables and
 *   `auth.uid()`, `auth.role()`, `auth.jwt()`.
 * - {@linkcode startLocalAuth}: `auth serve` on a free 127.0.0.1 port, signing
 *   as a current hosted project (an ES256 key generated per start, published at
 *   `/.well-known/jwks.json`; the legacy JWT secret verify-only) or, with
 *   `signing: "HS256"`, as a legacy project. `restart` changes the keys or the
 *   token lifetime on the same port (key rotation, short-lived tokens).
 *
 * {@linkcode authProxy} is the gateway's `/auth/v1/*` route to it (`_auth/proxy.ts`). Local use only.
 *
 * @module
 */
import { freePort } from "./cluster.ts";
import { type AuthBuild, migrateEnv, serveEnv } from "./_auth/config.ts";
import { generateSigningKey, publicJwk, type SigningJwk } from "./_auth/keys.ts";
import { type AuthProcess, runMigrate, spawnServe } from "./_auth/process.ts";
import type { JWK } from "jose";

export type { AuthBuild } from "./_auth/config.ts";
export {
  type AuthEndpoint,
  type AuthSession,
  createAuthUser,
  refreshSession,
  setUserClaims,
  signInWithPassword,
} from "./_auth/admin.ts";
export { AUTH_MOUNT_PREFIX, authProxy, type AuthProxyOptions } from "./_auth/proxy.ts";
export { generateSigningKey, type SigningJwk } from "./_auth/keys.ts";

/** Where Auth is mounted, relative to the project URL. */
export const AUTH_PREFIX = "/auth/v1";

/**
 * The Auth build `./dev` provides, from `EDGE_GUARD_AUTH_BIN` and `EDGE_GUARD_AUTH_MIGRATIONS`.
 *
 * @param env where both are read. Default: `Deno.env`.
 * @throws one line saying to use `./dev` when either is unset.
 * @example
 * const build = authBuild(); // { bin: "~/.cache/edge-guard/bin/auth-2.196.0-…", migrations: "…" }
 */
export function authBuild(env: { get(name: string): string | undefined } = Deno.env): AuthBuild {
  const bin = env.get("EDGE_GUARD_AUTH_BIN");
  const migrations = env.get("EDGE_GUARD_AUTH_MIGRATIONS");
  if (!bin || !migrations) {
    throw new Error(
      "EDGE_GUARD_AUTH_BIN / EDGE_GUARD_AUTH_MIGRATIONS are not set: run through ./dev " +
        "(./dev test, ./dev run, ./dev bench), which builds Supabase Auth once from its pinned " +
        "source and sets them (docs/third-party.md)",
    );
  }
  return { bin, migrations };
}

/**
 * Applies Auth's own migrations (`auth migrate`, under a second) to the
 * cluster of `dbUrl`. Needs the role and schema of `supabase/local/20_auth.sql`.
 *
 * @param dbUrl the cluster's `postgres` URL.
 * @param build the Auth build. Default: {@linkcode authBuild}().
 * @example
 * await migrateAuth(cluster.url);
 */
export async function migrateAuth(dbUrl: string, build: AuthBuild = authBuild()): Promise<void> {
  await runMigrate(build, migrateEnv(dbUrl, build));
}

/** Options for {@linkcode startLocalAuth}. */
export interface LocalAuthOptions {
  /** The cluster's `postgres` URL (Auth connects as `supabase_auth_admin`). */
  dbUrl: string;
  /** Project URL (the gateway); the issuer is `<projectUrl>/auth/v1`. */
  projectUrl: string;
  /** The legacy HS256 JWT secret (verifies the anon / service_role keys). */
  jwtSecret: string;
  /** `"ES256"` (hosted default now) or `"HS256"` (a legacy project). Default `"ES256"`. */
  signing?: "ES256" | "HS256";
  /** ES256 keys, the first signing, the rest verify-only. Default: one generated key (ES256 mode). */
  signingKeys?: readonly SigningJwk[];
  /** Access-token lifetime, seconds (GOTRUE_JWT_EXP). Default 3600. */
  jwtExpSeconds?: number;
  /** Port on 127.0.0.1. Default 0: a free port. */
  port?: number;
  /** The Auth build. Default: {@linkcode authBuild}(). */
  build?: AuthBuild;
}

/** What {@linkcode LocalAuth.restart} can change. */
export interface AuthRestart {
  signingKeys?: readonly SigningJwk[];
  jwtExpSeconds?: number;
}

/** A running Auth server. */
export interface LocalAuth {
  /** Auth's own URL, `http://127.0.0.1:<port>` (its routes without `/auth/v1`). */
  url: string;
  /** `auth version`, e.g. `v2.196.0`, from `/health`. */
  version: string;
  /** The signing mode it was started with. */
  signing: "ES256" | "HS256";
  /** The public keys it publishes (empty in HS256 mode): what functions get as `SUPABASE_JWKS`. */
  jwks(): { keys: JWK[] };
  /** The private keys it signs and verifies with now (local only), the signing one first. */
  signingKeys(): readonly SigningJwk[];
  /** Restarts `auth serve` on the same port with other keys or token lifetime. */
  restart(changes: AuthRestart): Promise<void>;
  /** Stops it. Idempotent. */
  stop(): Promise<void>;
  /** Kills it now without waiting (an `unload` handler's stop). */
  stopSync(): void;
}

/**
 * Starts `auth serve` and waits for `/health`. The database must already be
 * migrated ({@linkcode migrateAuth}; `applyLocalStack` does it).
 *
 * @param options database, project URL, JWT secret, signing mode, lifetime, port.
 * @returns the running {@linkcode LocalAuth}; always `await auth.stop()`.
 * @example
 * const auth = await startLocalAuth({ dbUrl: cluster.url, projectUrl, jwtSecret });
 * try { await fetch(`${auth.url}/health`); } finally { await auth.stop(); }
 */
export async function startLocalAuth(options: LocalAuthOptions): Promise<LocalAuth> {
  const build = options.build ?? authBuild();
  const signing = options.signing ?? "ES256";
  const port = options.port || freePort();
  const url = `http://127.0.0.1:${port}`;
  let settings = {
    dbUrl: options.dbUrl,
    projectUrl: options.projectUrl,
    jwtSecret: options.jwtSecret,
    signingKeys: signing === "HS256" ? [] : options.signingKeys ?? [await generateSigningKey()],
    jwtExpSeconds: options.jwtExpSeconds ?? 3600,
    port,
  };
  let proc: AuthProcess = await spawnServe(build, serveEnv(settings, build), url);
  return {
    url,
    version: proc.health.version,
    signing,
    jwks: () => ({ keys: settings.signingKeys.map(publicJwk) }),
    signingKeys: () => settings.signingKeys,
    async restart(changes) {
      await proc.stop();
      settings = { ...settings, ...changes };
      proc = await spawnServe(build, serveEnv(settings, build), url);
    },
    stop: () => proc.stop(),
    stopSync: () => proc.stopSync(),
  };
}
