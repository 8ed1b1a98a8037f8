/**
 * Calling bot-executor for each claimed bot: service credentials, a timeout,
 * bounded concurrency, and every failure kept in the result and the log.
 * Internal to bots.ts.
 */
import { describeError, type Logger } from "../log.ts";
import type { ClaimedBot } from "./claim.ts";
import { postWithTimeout } from "./post.ts";
import { type ErrorCode, isErrorCode } from "../error-catalogue.ts";

/** Where and how the scheduler reaches bot-executor. */
export interface ExecutorTarget {
  /** `${SUPABASE_URL}/functions/v1/bot-executor` */
  url: string;
  /** SUPABASE_SERVICE_ROLE_KEY, or the first SUPABASE_SECRET_KEYS value. */
  serviceKey: string;
  /** CRON_SECRET, sent as `x-cron-secret` when set. */
  cronSecret: string | null;
}

/** The result of one executor call, as the scheduler reports it. */
export interface DispatchResult {
  bot_id: string;
  org_id: string;
  /**
   * The run's outcome; `skipped` when the bot was deleted or disabled after it
   * was claimed (executor 404 bot_not_found / 409 bot_disabled); otherwise
   * `dispatch_failed` when the executor did not run it.
   */
  outcome: "succeeded" | "failed" | "already_ran" | "skipped" | "dispatch_failed";
  /** HTTP status of the executor's answer; null when none came. */
  executor_status: number | null;
  /**
   * Error code: the run's (webhook_*) or the executor's ({"error": ...}) or executor_*.
   * A code the catalogue does not know is not passed on.
   */
  error: ErrorCode | null;
  run_id: number | null;
  /** Network errors only: what went wrong, without URLs. */
  detail?: string;
}

/** How one executor call is made. */
export interface DispatchOptions {
  target: ExecutorTarget;
  scheduledMinute: Date;
  fetch: typeof fetch;
  /** Added to the bot's timeout_ms to get the executor call's timeout. */
  graceMs: number;
}

const OUTCOMES = new Set(["succeeded", "failed", "already_ran"]);
// A bot deleted or disabled between claim and run: nothing to do, not a failure.
const SKIPPED = new Set(["404:bot_not_found", "409:bot_disabled"]);

function parseReply(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" ? value as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

const codeOf = (v: unknown): ErrorCode | null => (isErrorCode(v) ? v : null);

function interpret(bot: ClaimedBot, status: number, text: string): DispatchResult {
  const base = { bot_id: bot.id, org_id: bot.org_id, executor_status: status };
  const reply = parseReply(text);
  const outcome = reply.status;
  if (status >= 200 && status < 300 && typeof outcome === "string" && OUTCOMES.has(outcome)) {
    const runId = typeof reply.run_id === "number" ? reply.run_id : null;
    return {
      ...base,
      outcome: outcome as DispatchResult["outcome"],
      error: codeOf(reply.error),
      run_id: runId,
    };
  }
  const code = codeOf(reply.error);
  if (SKIPPED.has(`${status}:${code}`)) {
    return { ...base, outcome: "skipped", error: code, run_id: null };
  }
  const error = code ?? (status < 300 ? "executor_bad_response" : "executor_http_error");
  return { ...base, outcome: "dispatch_failed", error, run_id: null };
}

/** Calls bot-executor for one bot. Never throws. */
export async function dispatchOne(bot: ClaimedBot, o: DispatchOptions): Promise<DispatchResult> {
  const headers: Record<string, string> = {
    "Authorization": `Bearer ${o.target.serviceKey}`,
    "Content-Type": "application/json",
  };
  if (o.target.cronSecret !== null) headers["x-cron-secret"] = o.target.cronSecret;
  const body = JSON.stringify({
    bot_id: bot.id,
    scheduled_minute: o.scheduledMinute.toISOString(),
  });
  const result = await postWithTimeout(o.fetch, o.target.url, {
    headers,
    body,
    timeoutMs: bot.timeout_ms + o.graceMs,
    maxChars: 4096,
  });
  if (result.ok) return interpret(bot, result.status, result.text);
  return {
    bot_id: bot.id,
    org_id: bot.org_id,
    outcome: "dispatch_failed",
    executor_status: result.status,
    error: result.timedOut ? "executor_timeout" : "executor_network_error",
    run_id: null,
    ...(result.timedOut ? {} : {
      detail: result.failure === "destination_refused"
        ? `bot-executor answered ${result.status} (a redirect, which is never followed)`
        : describeError(result.error),
    }),
  };
}

/** Maps `items` through `fn` with at most `limit` calls in flight; keeps the order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  const workers = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

function hintFor(r: DispatchResult, url: string): string {
  if (r.executor_status === 401 || r.executor_status === 403) {
    return "bot-executor refused the scheduler's credentials: SUPABASE_SERVICE_ROLE_KEY / " +
      "SUPABASE_SECRET_KEYS must be the same for bot-scheduler and bot-executor " +
      "(bot-executor's auth_rejected log line gives the reason)";
  }
  if (r.error === "server_misconfigured") {
    return "bot-executor is misconfigured: see its function_misconfigured or auth_config_invalid log";
  }
  if (r.error === "executor_timeout") return "bot-executor did not answer in time";
  if (r.error === "executor_network_error") return `bot-executor could not be reached at ${url}`;
  return "bot-executor did not run the bot; see its log";
}

/** Logs one `bot_dispatch_failed` error line (no credential, ever). */
export function logDispatchFailure(
  logger: Logger,
  r: DispatchResult,
  fields: Record<string, unknown>,
  url: string,
): void {
  logger("error", "bot_dispatch_failed", {
    ...fields,
    bot_id: r.bot_id,
    org_id: r.org_id,
    executor_status: r.executor_status,
    error: r.error,
    hint: hintFor(r, url),
    ...(r.detail === undefined ? {} : { detail: r.detail }),
  });
}
