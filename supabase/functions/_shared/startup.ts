/**
 * The functions' start-up, run once when `createHandler(deps?)` is called:
 * what every function takes (production defaults for each dependency), its
 * settings read once (a loud configuration error while one is missing), the
 * pool built once from SUPABASE_DB_URL, the guard options, and the cold-start
 * log line of the instance's first request.
 *
 * @module
 */
import { loadAuthConfig, type VerifyOptions, type WithAuthOptions } from "./auth-guard.ts";
import { createSql, type Sql } from "./db.ts";
import { functionLogger, log, type Logger } from "./log.ts";
import { loadOutboundSettings, type OutboundSettings, type Resolver } from "./outbound.ts";
import { type Env, readSettings } from "./settings.ts";
import { withColdStartLog } from "./_startup/cold-start.ts";

/** Logs `function_cold_start` on the instance's first request; see `_startup/cold-start.ts`. */
export { withColdStartLog };

/**
 * The dependencies a function takes; every field has a production default, and
 * `createHandler` takes them as `Partial<...>` so that tests replace only some.
 */
export interface FunctionDeps {
  /** Settings. Default `Deno.env`. */
  env: Env;
  /** Database pool. Default `createSql(SUPABASE_DB_URL)` (then SUPABASE_DB_URL is required). */
  sql: Sql;
  /** Outgoing HTTP client (webhooks, bot-executor, Odoo). Default global `fetch`. */
  fetch: typeof fetch;
  /** Clock of the function's work. Default `() => new Date()` (the guard uses `auth.now`). */
  now: () => Date;
  /** Structured logger. Default: the console JSON logger. */
  logger: Logger;
  /** Guard options merged over `{ config: loadAuthConfig(env), functionName, logger }`. */
  auth: VerifyOptions;
  /** DNS of the outbound policy (Odoo, webhooks). Default `Deno.resolveDns` (A and AAAA). */
  resolve: Resolver;
}

/** `env`, `logger`, `now` and `fetch` of `deps`, each defaulted. */
export type FunctionBase = Pick<FunctionDeps, "env" | "logger" | "now" | "fetch">;

/** What a function's settings reader returns: at least the missing names and SUPABASE_DB_URL. */
export interface FunctionSettings {
  /** Names of missing settings (never values). */
  missing: string[];
  /** SUPABASE_DB_URL ("" when missing or not needed). */
  dbUrl: string;
}

/**
 * Reads a function's settings once, SUPABASE_DB_URL among them when `needDbUrl`
 * (false when a pool is injected), logging one `function_misconfigured` line
 * that names every missing one.
 */
export type SettingsReader<S extends FunctionSettings> = (
  env: Env,
  o: { logger: Logger; functionName: string; needDbUrl: boolean },
) => S;

/** The default {@linkcode SettingsReader}: SUPABASE_DB_URL only. */
const readDbUrl: SettingsReader<FunctionSettings> = (env, o) => {
  const names = o.needDbUrl ? ["SUPABASE_DB_URL"] : [];
  const settings = readSettings(o.functionName, names, env, o.logger);
  return { missing: settings.missing, dbUrl: o.needDbUrl ? settings.get("SUPABASE_DB_URL") : "" };
};

/** What {@linkcode setupFunction} built: the defaulted deps, the pool and the guard options. */
export interface FunctionSetup<S extends FunctionSettings = FunctionSettings> extends FunctionBase {
  /** What the settings reader returned (default: `missing` and `dbUrl` only). */
  settings: S;
  /** `deps.sql`, or the pool built from SUPABASE_DB_URL; null while that is missing. */
  sql: Sql | null;
  /** Names of missing settings (already logged once); answer with `misconfigured(...)`. */
  missing: string[];
  /** Options for `withAuth`, with {@linkcode FUNCTION_REQUEST_RULES}. */
  auth: WithAuthOptions;
  /**
   * The outbound policy and answer limits, from OUTBOUND_ALLOW_PRIVATE,
   * OUTBOUND_ODOO_MAX_BYTES and OUTBOUND_WEBHOOK_MAX_BYTES (a malformed one is in `missing`).
   */
  outbound: OutboundSettings;
}

/**
 * The request rule every function shares, applied by `withAuth`: POST only
 * (any other method but OPTIONS gets 405 `method_not_allowed` with `Allow:
 * POST, OPTIONS`, before authentication), and a body that is empty or a JSON
 * object (anything else gets 400 `invalid_request` right after authentication,
 * before any work).
 */
export const FUNCTION_REQUEST_RULES: Readonly<Pick<WithAuthOptions, "methods" | "body">> = Object
  .freeze({ methods: Object.freeze(["POST"]), body: "json_object" });

/**
 * Fills in the production defaults of `env`, `logger`, `now` and `fetch`.
 *
 * @example
 * const { env, logger, now, fetch } = functionBase(deps);
 */
export function functionBase(deps: Partial<FunctionDeps>): FunctionBase {
  return {
    env: deps.env ?? Deno.env,
    logger: deps.logger ?? log,
    now: deps.now ?? (() => new Date()),
    fetch: deps.fetch ?? globalThis.fetch,
  };
}

/**
 * The guard options of a function: `{ config: loadAuthConfig(env), functionName,
 * logger }`, then `o.auth` (from `deps.auth`), then {@linkcode FUNCTION_REQUEST_RULES},
 * then `o.forced` (what the function never lets a caller of `createHandler` change).
 *
 * @example
 * const auth = guardOptions("bot-scheduler", { ...base, auth: deps.auth, forced: { allowUserTokens: false } });
 */
export function guardOptions(
  functionName: string,
  o: Pick<FunctionBase, "env" | "logger"> & { auth?: VerifyOptions; forced?: WithAuthOptions },
): WithAuthOptions {
  const config = loadAuthConfig(o.env);
  return {
    config,
    functionName,
    logger: o.logger,
    ...o.auth,
    ...FUNCTION_REQUEST_RULES,
    ...o.forced,
  };
}

/**
 * The start-up of a function, once, in this order: the defaults (the logger adds
 * `function_name` to every line), SUPABASE_DB_URL
 * (read and checked unless `deps.sql` is given; a missing one is logged now) and
 * (or the function's own settings reader, which reads it with the others) and
 * the pool, the guard options, then the outbound settings (a warning when
 * OUTBOUND_ALLOW_PRIVATE is on; a malformed one makes `sql` null and is in `missing`).
 *
 * @param functionName used in logs and by the guard.
 * @param o `deps`: what `createHandler` was given (see {@linkcode FunctionDeps}; default `{}`);
 *   `forcedAuth`: guard options that override `deps.auth` (default none); `settings`: the
 *   function's {@linkcode SettingsReader} (default: SUPABASE_DB_URL only); `outbound`: the
 *   function calls destinations from data, so a malformed OUTBOUND_* setting is in `missing`
 *   (default false).
 * @returns see {@linkcode FunctionSetup}.
 * @example
 * const { sql, missing, logger, auth } = setupFunction("check-sla-breaches", {
 *   deps,
 *   forcedAuth: { allowUserTokens: false },
 * });
 * return withAuth((req, ctx) => sql === null ? misconfigured(name, missing, logger) : ..., auth);
 */
export function setupFunction<S extends FunctionSettings = FunctionSettings>(
  functionName: string,
  o: {
    deps?: Partial<FunctionDeps>;
    forcedAuth?: WithAuthOptions;
    settings?: SettingsReader<S>;
    outbound?: boolean;
  } = {},
): FunctionSetup<S> {
  const deps = o.deps ?? {};
  const defaults = functionBase(deps);
  const base = { ...defaults, logger: functionLogger(functionName, defaults.logger) };
  const read = (o.settings ?? readDbUrl) as SettingsReader<S>;
  const needDbUrl = deps.sql === undefined;
  const settings = read(base.env, { logger: base.logger, functionName, needDbUrl });
  const sql = deps.sql ?? (settings.missing.length === 0 ? createSql(settings.dbUrl) : null);
  const auth = guardOptions(functionName, { ...base, auth: deps.auth, forced: o.forcedAuth });
  const outbound = loadOutboundSettings(base.env, {
    logger: base.logger,
    functionName,
    resolve: deps.resolve,
  });
  // Only the functions that call out stop on a malformed outbound setting.
  const missing = [...settings.missing, ...(o.outbound ? outbound.invalid : [])];
  return { ...base, sql: missing.length === 0 ? sql : null, missing, auth, outbound, settings };
}
