/**
 * What every function's `createHandler(deps?)` takes, and the start-up all of
 * them share: production defaults for each dependency, the pool built once
 * from SUPABASE_DB_URL (a loud configuration error while it is missing), and
 * the guard options.
 *
 * @module
 */
import { loadAuthConfig, type VerifyOptions, type WithAuthOptions } from "./auth-guard.ts";
import { createSql, type Sql } from "./db.ts";
import { log, type Logger } from "./log.ts";
import { loadOutboundSettings, type OutboundSettings, type Resolver } from "./outbound.ts";
import { type Env, readSettings } from "./settings.ts";

// Milliseconds from the instance's time origin until this module was evaluated:
// how long the isolate took to boot and load the function's code.
const BOOT_MS = Math.round(performance.now());

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

/** What {@linkcode setupFunction} built: the defaulted deps, the pool and the guard options. */
export interface FunctionSetup extends FunctionBase {
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
 * The start-up of a function, once, in this order: the defaults, SUPABASE_DB_URL
 * (read and checked unless `deps.sql` is given; a missing one is logged now) and
 * the pool, the guard options, then the outbound settings (a warning when
 * OUTBOUND_ALLOW_PRIVATE is on; a malformed one makes `sql` null and is in `missing`).
 *
 * @param functionName used in logs and by the guard.
 * @param o `deps`: what `createHandler` was given (see {@linkcode FunctionDeps}; default `{}`);
 *   `forcedAuth`: guard options that override `deps.auth` (default none); `outbound`: the
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
export function setupFunction(
  functionName: string,
  o: { deps?: Partial<FunctionDeps>; forcedAuth?: WithAuthOptions; outbound?: boolean } = {},
): FunctionSetup {
  const deps = o.deps ?? {};
  const base = functionBase(deps);
  const needed = deps.sql === undefined ? ["SUPABASE_DB_URL"] : [];
  const settings = readSettings(functionName, needed, base.env, base.logger);
  const sql = deps.sql ??
    (settings.missing.length === 0 ? createSql(settings.get("SUPABASE_DB_URL")) : null);
  const auth = guardOptions(functionName, { ...base, auth: deps.auth, forced: o.forcedAuth });
  const outbound = loadOutboundSettings(base.env, {
    logger: base.logger,
    functionName,
    resolve: deps.resolve,
  });
  // Only the functions that call out stop on a malformed outbound setting.
  const missing = [...settings.missing, ...(o.outbound ? outbound.invalid : [])];
  return { ...base, sql: missing.length === 0 ? sql : null, missing, auth, outbound };
}

/**
 * Wraps a handler so the first request of this instance logs
 * `function_cold_start` with `boot_ms` (instance start until the code was
 * loaded) and `idle_ms` (code loaded until that request). Later requests log
 * nothing extra. A first sync that times out after an idle period can then be
 * told apart from a slow Odoo (issue 14; docs/fanout.md, "Watching").
 *
 * @param functionName added to the log line.
 * @param handler the function's handler.
 * @param o `logger` (default: the console logger), `bootMs` / `clock` (tests; defaults: module
 *   evaluation time, `performance.now`).
 * @returns the same handler, logging once.
 * @example
 * return withColdStartLog("bot-scheduler", withAuth(handle, auth), { logger });
 */
export function withColdStartLog(
  functionName: string,
  handler: (req: Request) => Promise<Response>,
  o: { logger?: Logger; bootMs?: number; clock?: () => number } = {},
): (req: Request) => Promise<Response> {
  const clock = o.clock ?? (() => performance.now());
  const bootMs = o.bootMs ?? BOOT_MS;
  let first = true;
  return (req) => {
    if (first) {
      first = false;
      const idle_ms = Math.max(0, Math.round(clock() - bootMs));
      (o.logger ?? log)("info", "function_cold_start", {
        function_name: functionName,
        first_request: true,
        boot_ms: bootMs,
        idle_ms,
      });
    }
    return handler(req);
  };
}
