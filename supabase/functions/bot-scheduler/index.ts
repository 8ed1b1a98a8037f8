/**
 * bot-scheduler: called by pg_cron every minute (service callers only). Claims
 * the due bots and calls bot-executor for each; answers 502 when any executor
 * call failed, so the failure shows in net._http_response too.
 *
 * @module
 */
import { loadAuthConfig, type VerifyOptions, withAuth } from "../_shared/auth-guard.ts";
import { readSchedulerInput, readSchedulerSettings, scheduleDueBots } from "../_shared/bots.ts";
import { createSql, type Sql } from "../_shared/db.ts";
import { json } from "../_shared/http.ts";
import { log, type Logger } from "../_shared/log.ts";
import { type Env, misconfigured } from "../_shared/settings.ts";

const FUNCTION_NAME = "bot-scheduler";

/** What bot-scheduler depends on; every field has a production default. */
export interface BotSchedulerDeps {
  /** Settings. Default `Deno.env`. */
  env: Env;
  /** Pool. Default `createSql(SUPABASE_DB_URL)`. */
  sql: Sql;
  /** Used to call bot-executor. Default global `fetch`. */
  fetch: typeof fetch;
  /** Clock deciding which bots are due. Default `() => new Date()` (the guard uses `auth.now`). */
  now: () => Date;
  /** Default: the console JSON logger. */
  logger: Logger;
  /** Extra guard options; `allowUserTokens` is always false here. */
  auth: VerifyOptions;
  /** Executor calls in flight at once. Default 4. */
  concurrency: number;
  /** Executor call timeout = bot.timeout_ms + this. Default 5000. */
  executorGraceMs: number;
}

/**
 * Builds the handler: settings and pool once, then per request the guard
 * (service callers only), the body, and one scheduler tick.
 *
 * @param deps replacements for tests; see {@linkcode BotSchedulerDeps}.
 * @returns a `Deno.serve` handler.
 * @example
 * const handler = createHandler({ sql, env, fetch: executorFetch });
 * const res = await handler(new Request(url, { method: "POST", headers, body: "{}" }));
 */
export function createHandler(
  deps: Partial<BotSchedulerDeps> = {},
): (req: Request) => Promise<Response> {
  const env = deps.env ?? Deno.env;
  const logger = deps.logger ?? log;
  const now = deps.now ?? (() => new Date());
  const fetchFn = deps.fetch ?? globalThis.fetch;
  const settings = readSchedulerSettings(env, {
    logger,
    functionName: FUNCTION_NAME,
    needDbUrl: deps.sql === undefined,
  });
  const ready = settings.missing.length === 0;
  const sql = deps.sql ?? (ready ? createSql(settings.dbUrl) : null);
  const auth: VerifyOptions = {
    config: loadAuthConfig(env),
    functionName: FUNCTION_NAME,
    logger,
    ...deps.auth,
    allowUserTokens: false,
  };
  return withAuth(async (req, ctx) => {
    if (!ready || sql === null) return misconfigured(FUNCTION_NAME, settings.missing, logger);
    const at = now();
    const input = await readSchedulerInput(req, ctx, at);
    if (input === null) return json({ error: "invalid_request" }, 400);
    const report = await scheduleDueBots(sql, {
      ...input,
      now: at,
      target: settings.target,
      fetch: fetchFn,
      logger,
      functionName: FUNCTION_NAME,
      concurrency: deps.concurrency,
      graceMs: deps.executorGraceMs,
    });
    if (report.dispatch_failed === 0) return json(report);
    return json({ error: "executor_failed", ...report }, 502);
  }, auth);
}

if (import.meta.main) Deno.serve(createHandler());
