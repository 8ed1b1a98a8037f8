/**
 * Key sources for ES256/RS256 user tokens: an override key set, the inline
 * SUPABASE_JWKS, or the project's remote JWKS. Every source is wrapped so that
 * "the keys could not be obtained" (network, timeout, non-200, bad JSON, a key
 * that will not import) is told apart from "no key has this kid".
 */
import { createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey } from "./jose.ts";
import type { AuthConfig, RemoteJwksConfig } from "./types.ts";

/** Thrown by a wrapped key source when it cannot produce keys. Maps to 503 auth_unavailable. */
export class KeySourceUnavailable extends Error {
  constructor(readonly reason: "jwks_timeout" | "jwks_unavailable", options: ErrorOptions) {
    super(reason, options);
    this.name = "KeySourceUnavailable";
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof errors.JWKSTimeout ||
    (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError"));
}

/** Thrown instead of fetching while backing off after a failed JWKS fetch. */
class JwksBackoff extends TypeError {}

function guardKeySource(source: JWTVerifyGetKey, onFailure = () => {}): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await source(header, token);
    } catch (err) {
      // A fetched key set without the token's kid is the caller's problem (401), not ours.
      if (err instanceof errors.JWKSNoMatchingKey) throw err;
      if (err instanceof errors.JWKSMultipleMatchingKeys) throw err;
      if (!(err instanceof JwksBackoff)) onFailure();
      throw new KeySourceUnavailable(isTimeout(err) ? "jwks_timeout" : "jwks_unavailable", {
        cause: err,
      });
    }
  };
}

// jose throws on a non-200 without reading the body; release the connection.
function drainingFetch(impl: typeof fetch | undefined): typeof fetch {
  return async (input, init) => {
    const res = await (impl ?? fetch)(input, init);
    if (res.status === 200) return res;
    await res.body?.cancel().catch(() => {});
    return new Response(null, { status: res.status });
  };
}

/** After a failed JWKS fetch (network, timeout, non-200, bad JSON), fetches fail at once this long. */
export const JWKS_FAILURE_BACKOFF_MS = 5_000;

// jose refetches for every request that has no usable cached key, so while the
// Auth server is down each such request would hit it again. After a failure,
// fetches fail fast for a short while instead (answered 503 like the failure
// itself); requests whose keys are cached never fetch and keep working.
function createRemote(remote: RemoteJwksConfig, impl: typeof fetch | undefined): JWTVerifyGetKey {
  const backoffMs = Math.min(remote.cooldownMs, JWKS_FAILURE_BACKOFF_MS);
  let failedAt = -Infinity;
  const inner = drainingFetch(impl);
  const backoffFetch: typeof fetch = (input, init) => {
    if (performance.now() - failedAt < backoffMs) {
      return Promise.reject(new JwksBackoff("JWKS fetch skipped while backing off"));
    }
    return inner(input, init);
  };
  const set = createRemoteJWKSet(new URL(remote.url), {
    timeoutDuration: remote.timeoutMs,
    cooldownDuration: remote.cooldownMs,
    cacheMaxAge: remote.cacheMaxAgeMs,
    [customFetch]: backoffFetch,
  });
  return guardKeySource(set, () => failedAt = performance.now());
}

// Built once per (config, fetch) and kept for the life of the isolate, so keys
// are fetched lazily, cached, and refreshed on rotation without a redeploy.
const remoteSets = new WeakMap<AuthConfig, Map<typeof fetch | undefined, JWTVerifyGetKey>>();
const wrapped = new WeakMap<JWTVerifyGetKey, JWTVerifyGetKey>();

function wrapOnce(source: JWTVerifyGetKey): JWTVerifyGetKey {
  let guarded = wrapped.get(source);
  if (guarded === undefined) wrapped.set(source, guarded = guardKeySource(source));
  return guarded;
}

function remoteFor(config: AuthConfig, remote: RemoteJwksConfig, impl?: typeof fetch) {
  let byFetch = remoteSets.get(config);
  if (byFetch === undefined) remoteSets.set(config, byFetch = new Map());
  let set = byFetch.get(impl);
  if (set === undefined) byFetch.set(impl, set = createRemote(remote, impl));
  return set;
}

/** The key set for ES256/RS256 tokens under this config and these options, or null if none. */
export function asymmetricKeySet(
  config: AuthConfig,
  options: { keySet?: JWTVerifyGetKey; fetch?: typeof fetch },
): JWTVerifyGetKey | null {
  if (options.keySet !== undefined) return wrapOnce(options.keySet);
  if (config.inlineKeySet !== null) return wrapOnce(config.inlineKeySet);
  if (config.remoteJwks !== null) return remoteFor(config, config.remoteJwks, options.fetch);
  return null;
}
