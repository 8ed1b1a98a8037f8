/**
 * One POST for bots (to bot-executor, to a webhook) with a hard timeout
 * covering the answer, through the shared `outbound.ts`.
 * Internal to bots.ts.
 */
import { type FetchOutcome, fetchWithTimeout, type OutboundPolicy } from "../outbound.ts";

/** What came back from {@linkcode postWithTimeout}. */
export type PostResult =
  | { ok: true; status: number; text: string }
  | Extract<FetchOutcome, { ok: false }>;

/** One POST: where the answer's limits are and, for a URL from data, the policy. */
export interface PostInit {
  headers: HeadersInit;
  body: string;
  timeoutMs: number;
  /** Characters of the answer kept (the rest is cancelled, not an error). */
  maxChars?: number;
  /** More bytes than this is `answer_too_large`. Default: outbound.ts's. */
  maxBytes?: number;
  /** Checked before sending; required when the URL comes from data (a bot's webhook). */
  policy?: OutboundPolicy;
}

/**
 * POSTs `body` to `url` and reads the answer within `timeoutMs` and its
 * limits. Never throws: network errors, timeouts, refusals are returned.
 */
export async function postWithTimeout(
  fetchFn: typeof fetch,
  url: string,
  init: PostInit,
): Promise<PostResult> {
  const r = await fetchWithTimeout(url, {
    fetch: fetchFn,
    init: { method: "POST", headers: init.headers, body: init.body },
    timeoutMs: init.timeoutMs,
    maxChars: init.maxChars,
    maxBytes: init.maxBytes,
    policy: init.policy,
  });
  return r.ok ? { ok: true, status: r.status, text: r.text } : r;
}
