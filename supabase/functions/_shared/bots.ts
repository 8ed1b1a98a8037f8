/**
 * Bots: scheduled webhooks. bot-scheduler claims the due bots and calls
 * bot-executor for each; bot-executor runs one bot once per scheduled minute
 * and records the run in `bot_runs`. Functions import only this module.
 *
 * @module
 */
import { readSchedulerSettings, SERVICE_KEY_SETTING } from "./_bots/settings.ts";
import { scheduleDueBots } from "./_bots/schedule.ts";
import { executeBot } from "./_bots/execute.ts";
import { readExecutorInput, readSchedulerInput } from "./_bots/input.ts";

export type { SchedulerSettings } from "./_bots/settings.ts";
export type { ScheduleOptions, SchedulerReport } from "./_bots/schedule.ts";
export type { DispatchResult, ExecutorTarget } from "./_bots/dispatch.ts";
export type { BotRun, ExecuteOptions, ExecuteOutcome } from "./_bots/execute.ts";
export type { WebhookError } from "./_bots/webhook.ts";

/**
 * The name under which a missing service key is reported:
 * "SUPABASE_SERVICE_ROLE_KEY (or SUPABASE_SECRET_KEYS)".
 *
 * @example
 * if (settings.missing.includes(SERVICE_KEY_SETTING)) console.error("no service key");
 */
export { SERVICE_KEY_SETTING };

/**
 * Reads bot-scheduler's settings once: SUPABASE_URL, SUPABASE_DB_URL (when
 * `needDbUrl`), a service key (SUPABASE_SERVICE_ROLE_KEY, else the first value
 * of the SUPABASE_SECRET_KEYS JSON object) and the optional CRON_SECRET. Logs
 * one `function_misconfigured` error naming each missing setting (never a
 * value), and `cron_secret_not_set` (info) when CRON_SECRET is unset.
 *
 * @param env the environment, e.g. `Deno.env`.
 * @param o `logger`, `functionName`, and `needDbUrl` (false when a pool is injected).
 * @returns `missing` setting names, the executor target and the database URL.
 * @example
 * const s = readSchedulerSettings(Deno.env, { logger: log, functionName: "bot-scheduler", needDbUrl: true });
 * if (s.missing.length) return misconfigured("bot-scheduler", s.missing);
 */
export { readSchedulerSettings };

/**
 * One scheduler tick. Claims up to `batchSize` due bots (enabled, next_run_at
 * <= now) with `FOR UPDATE SKIP LOCKED`, advancing next_run_at in the same
 * short transaction, then calls bot-executor for each outside the transaction
 * (service key + optional x-cron-secret, timeout, bounded concurrency). Every
 * executor failure is in the report and logged as `bot_dispatch_failed`.
 *
 * @param sql the pool.
 * @param o see {@linkcode ScheduleOptions}.
 * @returns counts per outcome and one result per bot.
 * @example
 * const report = await scheduleDueBots(sql, { now: new Date(), scheduledMinute, orgId: null, target, fetch, logger, functionName: "bot-scheduler" });
 * if (report.dispatch_failed) console.error(report.results);
 */
export { scheduleDueBots };

/**
 * Runs one bot: looks it up (`where id = $1 and org_id = $2` when `orgId` is
 * set), inserts the bot_runs row for (bot, scheduled minute) with `on conflict
 * do nothing` (a duplicate gives `already_ran`), POSTs the payload to the
 * webhook within timeout_ms, and records the outcome. Never throws for a
 * webhook failure: that is a run with status `failed`.
 *
 * @param sql the pool.
 * @param o see {@linkcode ExecuteOptions}.
 * @returns not_found, other_org, disabled, already_ran, or ran with the run.
 * @example
 * const outcome = await executeBot(sql, { botId, orgId: auth.orgId, scheduledMinute, fetch, logger, functionName: "bot-executor", callerIdentity: "service_role", outbound });
 * if (outcome.kind === "ran") console.log(outcome.run.status);
 */
export { executeBot };

/**
 * Reads bot-scheduler's JSON body (`{"scheduled_for": "<ISO time>"}`, optional)
 * from `ctx.body`, as the guard read it.
 *
 * @param ctx the caller's context; `ctx.orgId` scopes the tick.
 * @param now the current time; its minute is used when scheduled_for is absent.
 * @returns the scheduled minute and org scope, or null for a malformed body.
 * @example
 * const input = readSchedulerInput(auth, new Date());
 * if (input === null) return errorJson("invalid_request");
 */
export { readSchedulerInput };

/**
 * Reads bot-executor's JSON body (`{"bot_id": "<uuid>", "scheduled_minute"?}`).
 * from `ctx.body`. Users always run in the current minute; service callers may
 * name a minute.
 *
 * @param ctx the caller's context.
 * @param now the current time.
 * @returns the bot id and minute, or null for a malformed body.
 * @example
 * const input = readExecutorInput(auth, new Date());
 * if (input === null) return errorJson("invalid_request");
 */
export { readExecutorInput };
