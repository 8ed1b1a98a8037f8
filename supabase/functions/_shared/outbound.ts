/**
 * Outgoing HTTP shared by every module that calls another system (bots'
 * webhooks and executor, Odoo): one request with a hard timeout that also
 * covers resolving the name and reading the answer, a byte limit on the
 * answer, no automatic redirect, and the destination policy for every call
 * whose destination comes from data (an organization's Odoo `base_url`, a
 * bot's `webhook_url`). docs/operations.md, "Outbound calls", explains it.
 *
 * @module
 */
import { AnswerTooLargeError, readBounded } from "./_outbound/body.ts";
import {
  checkDestination,
  denoResolver,
  type OutboundPolicy,
  type Refusal,
} from "./_outbound/destination.ts";

export { ADDRESS_CLASSES, type AddressClass, classifyAddress } from "./_outbound/address.ts";
export {
  checkDestination,
  denoResolver,
  type DestinationCheck,
  type OutboundPolicy,
  type Refusal,
  type Resolver,
} from "./_outbound/destination.ts";
export {
  DEFAULT_ODOO_MAX_BYTES,
  DEFAULT_WEBHOOK_MAX_BYTES,
  loadOutboundSettings,
  type OutboundSettings,
} from "./_outbound/config.ts";

/** Why a call failed: the fixed kinds every caller maps to its own code. */
export type FetchFailure = "timeout" | "network" | "destination_refused" | "answer_too_large";

/** What came back from {@linkcode fetchWithTimeout}. Never an exception. */
export type FetchOutcome =
  | { ok: true; status: number; headers: Headers; text: string }
  | {
    ok: false;
    status: number | null;
    timedOut: boolean;
    failure: FetchFailure;
    /** Set for `destination_refused`: why (never the URL). */
    refusal?: Refusal;
    error: unknown;
  };

/** Answer limit when a caller gives none: 16 MiB. */
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

/** Options of {@linkcode fetchWithTimeout}. */
export interface FetchWithTimeoutOptions {
  /** HTTP client. Default: global `fetch`. */
  fetch?: typeof fetch;
  /** Method, headers and body of the request. `redirect` is always `"manual"`. */
  init: RequestInit;
  /** Deadline for the whole exchange, name check and answer body included, in ms. No default. */
  timeoutMs: number;
  /** Reads at most this many characters of the body and cancels the rest. Default: all. */
  maxChars?: number;
  /** An answer of more bytes is `answer_too_large` and the connection is dropped. Default 16 MiB. */
  maxBytes?: number;
  /** Checked before anything is sent; required when the URL comes from data. Default: none. */
  policy?: OutboundPolicy;
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

/**
 * A policy that allows what `allowPrivate` says and resolves with `resolve`.
 *
 * @param o `allowPrivate` (default false: production; OUTBOUND_ALLOW_PRIVATE via
 *   {@linkcode loadOutboundSettings}), `resolve` (default `Deno.resolveDns`).
 * @returns an {@linkcode OutboundPolicy}.
 * @example
 * const dev = outboundPolicy({ allowPrivate: true });
 */
export function outboundPolicy(o: Partial<OutboundPolicy> = {}): OutboundPolicy {
  return { allowPrivate: o.allowPrivate ?? false, resolve: o.resolve ?? denoResolver };
}

const failed = (
  failure: FetchFailure,
  o: { status?: number | null; error?: unknown; refusal?: Refusal } = {},
): FetchOutcome => ({
  ok: false,
  status: o.status ?? null,
  timedOut: failure === "timeout",
  failure,
  error: o.error ?? null,
  ...(o.refusal ? { refusal: o.refusal } : {}),
});

const isRedirect = (res: Response) =>
  res.status >= 300 && res.status < 400 && res.headers.has("location");

async function exchange(
  url: string,
  options: FetchWithTimeoutOptions,
  signal: AbortSignal,
  seen: { status: number | null },
): Promise<FetchOutcome> {
  if (options.policy) {
    const check = await checkDestination(url, options.policy, { signal });
    if ("unresolvable" in check) {
      return failed(signal.aborted ? "timeout" : "network", { error: check.error });
    }
    if (!check.allowed) return failed("destination_refused", { refusal: check.refusal });
  }
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const res = await fetchFn(url, { ...options.init, redirect: "manual", signal });
  seen.status = res.status;
  if (isRedirect(res)) {
    // Never followed: the next hop could be any host, and the body or headers hold credentials.
    await res.body?.cancel().catch(() => {});
    return failed("destination_refused", { status: res.status, refusal: { reason: "redirect" } });
  }
  try {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const text = await readBounded(res, { maxBytes, maxChars: options.maxChars });
    return { ok: true, status: res.status, headers: res.headers, text };
  } catch (error) {
    if (error instanceof AnswerTooLargeError) {
      return failed("answer_too_large", { status: res.status, error });
    }
    throw error;
  }
}

/**
 * Sends one request and reads its answer as text, all within `timeoutMs`.
 * With a `policy`, the destination is checked first (scheme, name, every
 * resolved address) and a refused one is never contacted. A redirect is never
 * followed: it is `destination_refused` (reason `redirect`). An answer over
 * `maxBytes` is `answer_too_large`: the stream is cancelled and the connection
 * dropped, nothing of it returned. Never throws; the timer is cleared at the end.
 *
 * @param url where to send it.
 * @param options see {@linkcode FetchWithTimeoutOptions}.
 * @returns the status, headers and text, or the failure.
 * @example
 * const r = await fetchWithTimeout("https://example.com/hook", {
 *   init: { method: "POST", body: "{}" }, timeoutMs: 5000, maxBytes: 65536,
 *   policy: outboundPolicy(),
 * });
 * if (!r.ok && r.failure === "destination_refused") console.error(r.refusal);
 */
export async function fetchWithTimeout(
  url: string,
  options: FetchWithTimeoutOptions,
): Promise<FetchOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const seen = { status: null as number | null };
  try {
    const outcome = await exchange(url, options, controller.signal, seen);
    if (!outcome.ok) controller.abort();
    return outcome;
  } catch (error) {
    const timedOut = controller.signal.aborted ||
      (error instanceof DOMException && error.name === "TimeoutError");
    controller.abort();
    return failed(timedOut ? "timeout" : "network", { status: seen.status, error });
  } finally {
    clearTimeout(timer);
  }
}
