/**
 * Outgoing HTTP shared by every module that calls another system (bots' webhooks
 * and executor, Odoo): one request with a hard timeout that also covers reading
 * the answer, and the one rule for which HTTP statuses are worth a retry.
 *
 * @module
 */

/** What came back from {@linkcode fetchWithTimeout}. Never an exception. */
export type FetchOutcome =
  | { ok: true; status: number; headers: Headers; text: string }
  | { ok: false; status: number | null; timedOut: boolean; error: unknown };

/** Options of {@linkcode fetchWithTimeout}. */
export interface FetchWithTimeoutOptions {
  /** HTTP client. Default: global `fetch`. */
  fetch?: typeof fetch;
  /** Method, headers and body of the request. */
  init: RequestInit;
  /** Deadline for the whole exchange, answer body included, in ms. No default. */
  timeoutMs: number;
  /** Reads at most this many characters of the body and cancels the rest. Default: all. */
  maxChars?: number;
}

/**
 * True for an HTTP status worth another attempt: 5xx (server trouble) and 429
 * (rate limited, RFC 6585). Every other status means the request itself is wrong.
 *
 * @param status the HTTP status.
 * @returns whether a retry may succeed.
 * @example
 * isRetryableStatus(503); // true
 * isRetryableStatus(404); // false
 */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/** Reads at most `maxChars` characters of a body and cancels the rest. */
async function readPrefix(res: Response, maxChars: number): Promise<string> {
  if (res.body === null) return "";
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (text.length < maxChars) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text.slice(0, maxChars);
}

/**
 * Sends one request and reads its answer as text, all within `timeoutMs`.
 * Never throws: a network error, a broken answer or the timeout is returned
 * (`ok: false`, with `status` when the headers had arrived). The timer is
 * cleared at the end, so nothing outlives the call.
 *
 * @param url where to send it.
 * @param options see {@linkcode FetchWithTimeoutOptions}.
 * @returns the status, headers and text, or the failure.
 * @example
 * const r = await fetchWithTimeout("https://example.com/hook", {
 *   init: { method: "POST", body: "{}" }, timeoutMs: 5000, maxChars: 4096,
 * });
 * if (!r.ok && r.timedOut) console.error("no answer in time");
 */
export async function fetchWithTimeout(
  url: string,
  options: FetchWithTimeoutOptions,
): Promise<FetchOutcome> {
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  let status: number | null = null;
  try {
    const res = await fetchFn(url, { ...options.init, signal: controller.signal });
    status = res.status;
    const text = await readPrefix(res, options.maxChars ?? Infinity);
    return { ok: true, status, headers: res.headers, text };
  } catch (error) {
    const timedOut = controller.signal.aborted ||
      (error instanceof DOMException && error.name === "TimeoutError");
    return { ok: false, status, timedOut, error };
  } finally {
    clearTimeout(timer);
  }
}
