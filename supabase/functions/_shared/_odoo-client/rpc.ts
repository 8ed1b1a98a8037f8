/**
 * One JSON-RPC call to Odoo's `/jsonrpc` endpoint, with a per-attempt timeout
 * and bounded retries. Internal: use `createOdooClient` from `odoo-client.ts`.
 */
import { type Logger, redact } from "../log.ts";
import {
  describeCall,
  isRetryable,
  OdooAuthError,
  type OdooCallInfo,
  OdooError,
  OdooHttpError,
  OdooNetworkError,
  OdooRpcError,
  OdooTimeoutError,
} from "./errors.ts";

/** Everything a call needs; built once per client. */
export interface RpcSettings {
  url: string;
  fetch: typeof fetch;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  sleep: (ms: number) => Promise<void>;
  logger: Logger;
  /** The API key, only so that server text quoting it can be redacted. */
  secret: string;
}

/** A call: what to log (`OdooCallInfo`) plus the positional `args` sent to the service. */
export interface RpcCall extends OdooCallInfo {
  rpcMethod: string;
  args: unknown[];
}

const MAX_BACKOFF_MS = 30_000;

/** Exponential backoff with "equal jitter": half fixed, half random. */
export function backoffDelay(baseMs: number, retry: number, random = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Sends `call` and returns the envelope's `result`, retrying timeouts, network
 * errors, HTTP 5xx and 429 up to `settings.retries` times.
 */
export async function callOdoo(settings: RpcSettings, call: RpcCall, id: number): Promise<unknown> {
  const info = { service: call.service, method: call.method, model: call.model };
  for (let attempt = 1;; attempt++) {
    try {
      return await attemptOnce(settings, call, id, attempt);
    } catch (err) {
      const maxAttempts = settings.retries + 1;
      if (!isRetryable(err) || attempt >= maxAttempts) {
        settings.logger("error", "odoo_rpc_failed", {
          ...info,
          attempts: attempt,
          error: (err as Error).name,
        });
        throw err;
      }
      const delayMs = backoffDelay(settings.backoffMs, attempt);
      settings.logger("warn", "odoo_rpc_retry", {
        ...info,
        attempt,
        max_attempts: maxAttempts,
        reason: err instanceof OdooHttpError ? `http_${err.status}` : (err as Error).name,
        delay_ms: delayMs,
      });
      await settings.sleep(delayMs);
    }
  }
}

async function attemptOnce(
  s: RpcSettings,
  call: RpcCall,
  id: number,
  attempt: number,
): Promise<unknown> {
  const signal = AbortSignal.timeout(s.timeoutMs);
  const body = JSON.stringify({
    jsonrpc: "2.0",
    method: "call",
    params: { service: call.service, method: call.rpcMethod, args: call.args },
    id,
  });
  let text: string;
  try {
    const res = await s.fetch(s.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body,
      signal,
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new OdooHttpError(res.status, call, { attempts: attempt });
    }
    text = await res.text();
  } catch (err) {
    if (err instanceof OdooError) throw err;
    throw transportError(err, signal, s, call, attempt);
  }
  return unwrap(text, id, s, call, attempt);
}

function transportError(
  err: unknown,
  signal: AbortSignal,
  s: RpcSettings,
  call: RpcCall,
  attempt: number,
): OdooError {
  const timedOut = signal.aborted || (err instanceof DOMException && err.name === "TimeoutError");
  if (timedOut) {
    return new OdooTimeoutError(
      `Odoo ${describeCall(call)} timed out after ${s.timeoutMs} ms`,
      { attempts: attempt },
    );
  }
  // The underlying error is not kept as `cause`: a custom fetch could quote the key in it.
  const detail = err instanceof Error
    ? redact(`${err.name}: ${err.message}`, [s.secret])
    : "unknown";
  return new OdooNetworkError(`Odoo ${describeCall(call)} failed: network error: ${detail}`, {
    attempts: attempt,
  });
}

function unwrap(text: string, id: number, s: RpcSettings, call: RpcCall, attempt: number) {
  let env: Record<string, unknown>;
  try {
    env = JSON.parse(text);
  } catch {
    throw new OdooError(`Odoo ${describeCall(call)}: the answer is not JSON`, {
      attempts: attempt,
    });
  }
  if (!env || typeof env !== "object" || env.jsonrpc !== "2.0" || env.id !== id) {
    throw new OdooError(`Odoo ${describeCall(call)}: the answer is not a JSON-RPC 2.0 response`, {
      attempts: attempt,
    });
  }
  if (env.error !== undefined) throw envelopeError(env.error, s, call, attempt);
  if (!("result" in env)) {
    throw new OdooError(`Odoo ${describeCall(call)}: the answer has no result`, {
      attempts: attempt,
    });
  }
  return env.result;
}

function envelopeError(error: unknown, s: RpcSettings, call: RpcCall, attempt: number) {
  const e = (error && typeof error === "object" ? error : {}) as Record<string, unknown>;
  const data = (e.data && typeof e.data === "object" ? e.data : {}) as Record<string, unknown>;
  const code = typeof e.code === "number" ? e.code : 0;
  const name = typeof data.name === "string" ? data.name : "unknown";
  const text = (v: unknown, fallback: string) =>
    redact(typeof v === "string" ? v : fallback, [s.secret]);
  // Code 100 is Odoo's "Session Expired"/"Session Invalid"; AccessDenied is a refused key.
  if (name === "odoo.exceptions.AccessDenied" || code === 100) {
    return new OdooAuthError(
      `Odoo ${describeCall(call)} refused the credentials: ${
        text(data.message, String(e.message))
      }`,
      { attempts: attempt },
    );
  }
  return new OdooRpcError(name, {
    code,
    odooMessage: text(data.message, typeof e.message === "string" ? e.message : ""),
    debug: text(data.debug, ""),
    call,
    attempts: attempt,
  });
}
