/**
 * The HTTP side of every Odoo call: a POST through the shared `outbound.ts`
 * (one timeout per attempt, answer included), bounded retries with backoff, and
 * the JSON-RPC 2.0 envelope used by `/jsonrpc` and `/web/...` routes.
 * Internal: use `createOdooClient` from `odoo-client.ts`.
 */
import { describeError, type Logger, redact } from "../log.ts";
import { fetchWithTimeout, type OutboundPolicy } from "../outbound.ts";
import {
  describeCall,
  isRetryable,
  OdooAnswerTooLargeError,
  OdooApiUnavailableError,
  OdooAuthError,
  type OdooCallInfo,
  OdooDestinationError,
  OdooError,
  OdooHttpError,
  OdooNetworkError,
  OdooRpcError,
  OdooTimeoutError,
} from "./errors.ts";

/** Everything a call needs; built once per client. */
export interface RpcSettings {
  /** Instance root without a trailing slash. */
  base: string;
  fetch: typeof fetch;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  sleep: (ms: number) => Promise<void>;
  logger: Logger;
  /** The API key, only so that server text quoting it can be redacted. */
  secret: string;
  /** Where requests may go; checked before every attempt. */
  policy: OutboundPolicy;
  /** Largest answer of one call, in bytes. */
  maxBytes: number;
}

/** A complete HTTP answer. */
export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

const MAX_BACKOFF_MS = 30_000;

/** Exponential backoff with "equal jitter": half fixed, half random. */
export function backoffDelay(baseMs: number, retry: number, random = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Runs `attempt` (given the attempt number), retrying timeouts, network errors,
 * HTTP 5xx and 429 up to `s.retries` times; logs each retry and the final failure.
 */
export async function withRetries<T>(
  s: RpcSettings,
  info: OdooCallInfo,
  attempt: (n: number) => Promise<T>,
): Promise<T> {
  for (let n = 1;; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      const maxAttempts = s.retries + 1;
      if (!isRetryable(err) || n >= maxAttempts) {
        const code = err instanceof OdooError ? err.code : "internal_error";
        s.logger("error", "odoo_rpc_failed", { ...info, attempts: n, error: code });
        throw err;
      }
      const delayMs = backoffDelay(s.backoffMs, n);
      s.logger("warn", "odoo_rpc_retry", {
        ...info,
        attempt: n,
        max_attempts: maxAttempts,
        reason: err instanceof OdooHttpError ? `http_${err.status}` : (err as OdooError).code,
        delay_ms: delayMs,
      });
      await s.sleep(delayMs);
    }
  }
}

/** POSTs JSON to `path`; a transport failure becomes a timeout or network error. */
export async function post(
  s: RpcSettings,
  path: string,
  req: { body: string; headers?: Record<string, string>; call: OdooCallInfo; attempt: number },
): Promise<Answer> {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  const r = await fetchWithTimeout(`${s.base}${path}`, {
    fetch: s.fetch,
    init: { method: "POST", headers: { ...headers, ...req.headers }, body: req.body },
    timeoutMs: s.timeoutMs,
    policy: s.policy,
    maxBytes: s.maxBytes,
  });
  const label = describeCall(req.call);
  if (r.ok) {
    return { status: r.status, contentType: r.headers.get("content-type") ?? "", text: r.text };
  }
  const attempts = { attempts: req.attempt };
  if (r.failure === "destination_refused") {
    s.logger("error", "odoo_destination_refused", {
      ...req.call,
      ...r.refusal,
      http_status: r.status,
    });
    throw new OdooDestinationError(
      `Odoo ${label}: destination refused (${r.refusal?.reason})`,
      attempts,
    );
  }
  if (r.failure === "answer_too_large") {
    throw new OdooAnswerTooLargeError(`Odoo ${label}: answer over ${s.maxBytes} bytes`, attempts);
  }
  if (r.timedOut) {
    throw new OdooTimeoutError(`Odoo ${label} timed out after ${s.timeoutMs} ms`, {
      attempts: req.attempt,
    });
  }
  // The underlying error is not kept as `cause`: a custom fetch could quote the key in it.
  const e = r.error;
  const detail = describeError(e, { secrets: [s.secret] });
  throw new OdooNetworkError(`Odoo ${label} failed: network error: ${detail}`, {
    attempts: req.attempt,
  });
}

/** Parses JSON or throws an OdooError naming the call. */
export function parseJson(text: string, call: OdooCallInfo, attempt: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new OdooError(`Odoo ${describeCall(call)}: the answer is not JSON`, {
      attempts: attempt,
    });
  }
}

/** A JSON-RPC call: `path`, `params`, and what to log. */
export interface JsonRpcCall {
  path: string;
  params: Record<string, unknown>;
  info: OdooCallInfo;
}

/**
 * One JSON-RPC 2.0 call (`/jsonrpc` or a `/web/...` route of type json), with
 * retries; returns `result`. A missing `result` is `null`: Odoo's JSON-RPC
 * dispatcher sends `{"result": null}` for a method that returned None, and
 * some servers drop the key (`odoo/http.py`, `JsonRPCDispatcher._response`).
 */
export function callJsonRpc(s: RpcSettings, c: JsonRpcCall, id: number): Promise<unknown> {
  const body = JSON.stringify({ jsonrpc: "2.0", method: "call", params: c.params, id });
  return withRetries(s, c.info, async (attempt) => {
    const answer = await post(s, c.path, { body, call: c.info, attempt });
    if (answer.status < 200 || answer.status > 299) {
      throw new OdooHttpError(answer.status, c.info, { attempts: attempt });
    }
    const env = parseJson(answer.text, c.info, attempt) as Record<string, unknown> | null;
    if (!env || typeof env !== "object" || env.jsonrpc !== "2.0" || env.id !== id) {
      throw new OdooError(
        `Odoo ${describeCall(c.info)}: the answer is not a JSON-RPC 2.0 response`,
        { attempts: attempt },
      );
    }
    if (env.error !== undefined) throw envelopeError(env.error, s, c.info, attempt);
    return env.result ?? null;
  });
}

const NOT_FOUND = "werkzeug.exceptions.NotFound";

/** Text from an Odoo error body (message, traceback) with the API key redacted; "" for a non-string. */
export function serverText(v: unknown, s: Pick<RpcSettings, "secret">): string {
  return redact(typeof v === "string" ? v : "", [s.secret]);
}

function envelopeError(error: unknown, s: RpcSettings, call: OdooCallInfo, attempt: number) {
  const e = (error && typeof error === "object" ? error : {}) as Record<string, unknown>;
  const data = (e.data && typeof e.data === "object" ? e.data : {}) as Record<string, unknown>;
  const name = typeof data.name === "string" ? data.name : "unknown";
  const message = serverText(data.message, s) || serverText(e.message, s);
  // Code 100 is Odoo's "Session Expired"/"Session Invalid"; AccessDenied is a refused key.
  if (name === "odoo.exceptions.AccessDenied" || e.code === 100) {
    return new OdooAuthError(`Odoo ${describeCall(call)} refused the credentials: ${message}`, {
      attempts: attempt,
    });
  }
  // Odoo 19+ answers /jsonrpc with NotFound unless rpc.use_deprecated_services
  // is set (addons/rpc/controllers/jsonrpc.py).
  if (name === NOT_FOUND) {
    return new OdooApiUnavailableError(`Odoo ${describeCall(call)}: /jsonrpc is switched off`, {
      attempts: attempt,
    });
  }
  return new OdooRpcError({
    odooName: name,
    odooMessage: message,
    debug: serverText(data.debug, s),
    call,
    attempts: attempt,
  });
}
