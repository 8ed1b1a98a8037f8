/**
 * A bot's action: POST its JSON payload to its webhook URL within its timeout,
 * if the outbound policy allows the destination, and describe the outcome as a
 * bot_runs record. Internal to bots.ts.
 */
import { describeError, redact } from "../log.ts";
import type { OutboundPolicy, Refusal } from "../outbound.ts";
import { type PostResult, postWithTimeout } from "./post.ts";
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
  /** Why the destination was refused (logged, not stored). */
  refusal?: Refusal;
}

/** What the webhook needs from a bot row. */
export interface WebhookBot {
  webhook_url: string;
  payload: unknown;
  timeout_ms: number;
}

/** How the webhook is called: the client, the run's idempotency key, the policy and limit. */
export interface WebhookOptions {
  fetch: typeof fetch;
  idempotencyKey: string;
  /** Where webhooks may go (OUTBOUND_ALLOW_PRIVATE). */
  policy: OutboundPolicy;
  /** Largest answer in bytes (OUTBOUND_WEBHOOK_MAX_BYTES). */
  maxBytes: number;
}

function failure(bot: WebhookBot, r: Extract<PostResult, { ok: false }>): WebhookOutcome {
  const base = { status: "failed" as const, http_status: r.status };
  switch (r.failure) {
    case "destination_refused":
      // No excerpt: nothing from a refused destination is stored.
      return {
        ...base,
        error: "webhook_destination_refused",
        response_excerpt: null,
        refusal: r.refusal,
      };
    case "answer_too_large":
      return { ...base, error: "webhook_answer_too_large", response_excerpt: null };
    case "timeout":
      return {
        ...base,
        error: "webhook_timeout",
        response_excerpt: `no complete answer within ${bot.timeout_ms} ms`,
      };
    default:
      return { ...base, error: "webhook_network_error", response_excerpt: describeError(r.error) };
  }
}

/**
 * Calls the bot's webhook. Never throws; a refused destination (never
 * contacted), a redirect (never followed), a non-2xx answer, an answer over
 * `maxBytes`, a network error or the timeout (bot.timeout_ms, covering the
 * response body too) is a failed run. The excerpt is the first
 * {@linkcode EXCERPT_CHARS} characters of an allowed destination's complete
 * answer, with anything key-shaped redacted.
 */
export async function callWebhook(
  bot: WebhookBot,
  options: WebhookOptions,
): Promise<WebhookOutcome> {
  const result = await postWithTimeout(options.fetch, bot.webhook_url, {
    headers: {
      "Content-Type": "application/json",
      "Idempotency-Key": options.idempotencyKey,
      "User-Agent": "edge-guard-bot-executor",
    },
    body: JSON.stringify(bot.payload ?? {}),
    timeoutMs: bot.timeout_ms,
    maxBytes: options.maxBytes,
    policy: options.policy,
  });
  if (!result.ok) return failure(bot, result);
  const ok = result.status >= 200 && result.status < 300;
  return {
    status: ok ? "succeeded" : "failed",
    http_status: result.status,
    error: ok ? null : "webhook_http_error",
    response_excerpt: redact(result.text.slice(0, EXCERPT_CHARS)),
  };
}
