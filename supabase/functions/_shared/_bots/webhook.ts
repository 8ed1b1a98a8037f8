/**
 * A bot's action: POST its JSON payload to its webhook URL within its timeout,
 * and describe the outcome as a bot_runs record. Internal to bots.ts.
 */
import { describeError, postWithTimeout } from "./http.ts";
import type { WebhookErrorCode } from "../error-catalogue.ts";

/** Longest response excerpt stored in bot_runs. */
export const EXCERPT_CHARS = 500;

/** Error codes stored in bot_runs.error: the catalogue's `webhook_*` bot codes. */
export type WebhookError = WebhookErrorCode;

/** The outcome of one webhook call, as bot_runs stores it. */
export interface WebhookOutcome {
  status: "succeeded" | "failed";
  http_status: number | null;
  error: WebhookError | null;
  response_excerpt: string | null;
}

/** What the webhook needs from a bot row. */
export interface WebhookBot {
  webhook_url: string;
  payload: unknown;
  timeout_ms: number;
}

/**
 * Calls the bot's webhook. Never throws; a non-2xx answer, a network error or
 * the timeout (bot.timeout_ms, covering the response body too) is a failed run.
 */
export async function callWebhook(
  bot: WebhookBot,
  options: { fetch: typeof fetch; idempotencyKey: string },
): Promise<WebhookOutcome> {
  const result = await postWithTimeout(options.fetch, bot.webhook_url, {
    headers: {
      "Content-Type": "application/json",
      "Idempotency-Key": options.idempotencyKey,
      "User-Agent": "edge-guard-bot-executor",
    },
    body: JSON.stringify(bot.payload ?? {}),
    timeoutMs: bot.timeout_ms,
    maxChars: EXCERPT_CHARS,
  });
  if (result.ok) {
    const ok = result.status >= 200 && result.status < 300;
    return {
      status: ok ? "succeeded" : "failed",
      http_status: result.status,
      error: ok ? null : "webhook_http_error",
      response_excerpt: result.text,
    };
  }
  return {
    status: "failed",
    http_status: result.status,
    error: result.timedOut ? "webhook_timeout" : "webhook_network_error",
    response_excerpt: result.timedOut
      ? `no complete answer within ${bot.timeout_ms} ms`
      : describeError(result.error),
  };
}
