/**
 * The project's remote JWKS, cached by the guard itself around jose's
 * `createLocalJWKSet` (instead of `createRemoteJWKSet`, whose cache gives up
 * the keys as soon as a refresh fails): fresh for `cacheMaxAgeMs`, then still
 * used for `graceMs` while Auth cannot be reached. Supabase's JWKS rotation
 * keeps the previous key published, so a stale set still verifies tokens
 * issued before a rotation.
 */
import { describeError, type Logger } from "../log.ts";
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from "./jose.ts";
import type { RemoteJwksConfig } from "./types.ts";
import type { ReasonCode } from "../error-catalogue.ts";

/** Thrown by a key source that cannot produce keys. Maps to 503 auth_unavailable. */
export class KeySourceUnavailable extends Error {
  constructor(readonly reason: Extract<ReasonCode, `jwks_${string}`>, options: ErrorOptions) {
    super(reason, options);
    this.name = "KeySourceUnavailable";
  }
}

/** After a failed fetch, no new fetch for this long (at most the cooldown). */
export const JWKS_FAILURE_BACKOFF_MS = 5_000;
/** `jwks_stale` is logged at most this often. */
export const JWKS_STALE_WARNING_INTERVAL_MS = 60_000;

/** What one guard call lends the cache: its clock and logger. */
export interface JwksCall {
  now: () => number;
  logger: Logger;
  functionName?: string;
}

type KeyArgs = Parameters<JWTVerifyGetKey>;

const isTimeout = (err: unknown) =>
  err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");

/** One remote key set; built once per configuration and `fetch`, kept for the isolate's life. */
export class RemoteJwks {
  #set: JWTVerifyGetKey | null = null;
  #fetchedAt = -Infinity;
  #attemptedAt = -Infinity;
  #failedAt = -Infinity;
  #failure: unknown = null;
  #staleWarnedAt = -Infinity;
  #inflight: Promise<boolean> | null = null;

  constructor(readonly remote: RemoteJwksConfig, readonly fetchImpl: typeof fetch | undefined) {}

  /** jose's key lookup for one call: refreshes when due, falls back to the stale set within the grace. */
  async getKey(call: JwksCall, ...args: KeyArgs): Promise<Awaited<ReturnType<JWTVerifyGetKey>>> {
    const now = call.now();
    let stale = now - this.#fetchedAt >= this.remote.cacheMaxAgeMs;
    if (stale && (await this.#refresh(now))) stale = false;
    if (stale) this.#useStale(now, call);
    try {
      return await this.#set!(...args);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      // Auth is unreachable: the token may carry a key published since.
      if (stale) throw this.#unavailable();
      // An unknown kid may be a newly rotated key: one refresh per cooldown.
      if (now - this.#attemptedAt < this.remote.cooldownMs) throw err;
      if (!(await this.#refresh(now))) throw this.#unavailable();
      return await this.#set!(...args);
    }
  }

  #useStale(now: number, call: JwksCall): void {
    const staleSince = this.#fetchedAt + this.remote.cacheMaxAgeMs;
    if (this.#set === null || now - staleSince > this.remote.graceMs) throw this.#unavailable();
    if (now - this.#staleWarnedAt < JWKS_STALE_WARNING_INTERVAL_MS) return;
    this.#staleWarnedAt = now;
    call.logger("warn", "jwks_stale", {
      ...(call.functionName === undefined ? {} : { function_name: call.functionName }),
      reason: isTimeout(this.#failure) ? "jwks_timeout" : "jwks_unavailable",
      error_detail: describeError(this.#failure),
      key_set_age_seconds: Math.round((now - this.#fetchedAt) / 1000),
      grace_left_seconds: Math.round((staleSince + this.remote.graceMs - now) / 1000),
    });
  }

  #unavailable(): KeySourceUnavailable {
    const reason = isTimeout(this.#failure) ? "jwks_timeout" : "jwks_unavailable";
    return new KeySourceUnavailable(reason, { cause: this.#failure });
  }

  /** True when a fresh set is in place. Concurrent callers share one fetch. */
  #refresh(now: number): Promise<boolean> {
    const backoff = Math.min(this.remote.cooldownMs, JWKS_FAILURE_BACKOFF_MS);
    if (now - this.#failedAt < backoff) return Promise.resolve(false);
    this.#inflight ??= this.#fetchKeys(now).finally(() => this.#inflight = null);
    return this.#inflight;
  }

  async #fetchKeys(now: number): Promise<boolean> {
    this.#attemptedAt = now;
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new DOMException("JWKS timeout", "TimeoutError")),
      this.remote.timeoutMs,
    );
    try {
      const res = await (this.fetchImpl ?? fetch)(this.remote.url, {
        headers: { accept: "application/json" },
        redirect: "manual",
        signal: abort.signal,
      });
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => {});
        throw new errors.JOSEError(`JWKS answered ${res.status}`);
      }
      this.#set = createLocalJWKSet(await res.json() as JSONWebKeySet);
      this.#fetchedAt = now;
      return true;
    } catch (err) {
      this.#failedAt = now;
      this.#failure = abort.signal.aborted ? abort.signal.reason : err;
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
