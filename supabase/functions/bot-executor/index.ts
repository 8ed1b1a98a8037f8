/**
 * bot-executor: runs one bot once per scheduled minute. Callers: a service
 * caller (service key or a matching x-cron-secret; bot-scheduler), or an
 * integration admin of the bot's organisation ("run now").
 *
 * @module
 */
import {
  type AuthContext,
  denyOrgScope,
  type VerifyOptions,
  withAuth,
} from "../_shared/auth-guard.ts";
import { executeBot, type ExecuteOutcome, readExecutorInput } from "../_shared/bots.ts";
import { type FunctionDeps, setupFunction, withColdStartLog } from "../_shared/startup.ts";
import { errorJson, json } from "../_shared/http.ts";
import { misconfigured } from "../_shared/settings.ts";

const FUNCTION_NAME = "bot-executor";

/**
 * What bot-executor depends on (see {@linkcode FunctionDeps} for the defaults):
 * `fetch` calls the bots' webhooks (only where the outbound policy allows:
 * OUTBOUND_ALLOW_PRIVATE, `resolve`), `now` is the clock for "run now" minutes,
 * and users must be integration admins here whatever `auth` says.
 */
export type BotExecutorDeps = FunctionDeps;

function respond(
  outcome: ExecuteOutcome,
  input: { botId: string; scheduledMinute: Date },
  ctx: AuthContext,
  auth: VerifyOptions,
): Response {
  const ids = { bot_id: input.botId, scheduled_minute: input.scheduledMinute.toISOString() };
  switch (outcome.kind) {
    case "not_found":
      return errorJson("bot_not_found");
    case "other_org":
      // The bot's organisation is never read; the log names the caller's attempt only.
      return denyOrgScope(ctx, null, auth);
    case "disabled":
      return errorJson("bot_disabled");
    case "already_ran":
      return json({ status: "already_ran", ...ids });
    case "ran": {
      const { run_id, status, http_status, error } = outcome.run;
      return json({ status, run_id, ...ids, http_status, error });
    }
  }
}

/**
 * Builds the handler: settings and pool once, then per request the guard, the
 * body, the scoped bot lookup and the run.
 *
 * @param deps replacements for tests; see {@linkcode BotExecutorDeps}.
 * @returns a `Deno.serve` handler.
 * @example
 * const handler = createHandler({ sql, env });
 * const res = await handler(new Request(url, { method: "POST", headers, body: JSON.stringify({ bot_id }) }));
 */
export function createHandler(
  deps: Partial<BotExecutorDeps> = {},
): (req: Request) => Promise<Response> {
  const { sql, missing, fetch: fetchFn, now, logger, auth, outbound } = setupFunction(
    FUNCTION_NAME,
    { deps, forcedAuth: { requireIntegrationAdmin: true, allowUserTokens: true }, outbound: true },
  );
  return withColdStartLog(
    FUNCTION_NAME,
    withAuth(async (_req, ctx) => {
      if (sql === null) return misconfigured(FUNCTION_NAME, missing, logger);
      const input = readExecutorInput(ctx, now());
      if (input === null) return errorJson("invalid_request");
      const outcome = await executeBot(sql, {
        ...input,
        orgId: ctx.orgId,
        fetch: fetchFn,
        logger,
        functionName: FUNCTION_NAME,
        callerIdentity: ctx.userId ?? "service_role",
        outbound,
      });
      return respond(outcome, input, ctx, auth);
    }, auth),
    { logger: logger },
  );
}

if (import.meta.main) Deno.serve(createHandler());
