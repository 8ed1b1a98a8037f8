/**
 * bot-scheduler: called by pg_cron every minute (service callers only). Claims
 * the due bots and calls bot-executor for each; answers 502 when any executor
 * call failed, so the failure shows in net._http_response too.
 *
 * @module
 */
import { withAuth } from "../_shared/auth-guard.ts";
import { readSchedulerInput, readSchedulerSettings, scheduleDueBots } from "../_shared/bots.ts";
import { type FunctionDeps, setupFunction, withColdStartLog } from "../_shared/startup.ts";
import { errorJson, json } from "../_shared/http.ts";
import { misconfigured } from "../_shared/settings.ts";

const FUNCTION_NAME = "bot-scheduler";

/**
 * What bot-scheduler depends on; every field has a production default (see
 * {@linkcode FunctionDeps}): `fetch` calls bot-executor, `now` decides which
 * bots are due, and `auth.allowUserTokens` is always false here.
 */
export interface BotSchedulerDeps extends FunctionDeps {
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
  const { sql, missing, settings, logger, now, fetch: fetchFn, auth } = setupFunction(
    FUNCTION_NAME,
    { deps, forcedAuth: { allowUserTokens: false }, settings: readSchedulerSettings },
  );
  return withColdStartLog(
    FUNCTION_NAME,
    withAuth(async (_req, ctx) => {
      if (sql === null) return misconfigured(FUNCTION_NAME, missing, logger);
      const at = now();
      const input = readSchedulerInput(ctx, at);
      if (input === null) return errorJson("invalid_request");
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
      return errorJson("executor_failed", { ...report });
    }, auth),
    { logger: logger },
  );
}

if (import.meta.main) Deno.serve(createHandler());
