/**
 * Key sources for ES256/RS256 user tokens: an override key set, the inline
 * SUPABASE_JWKS (then, for a kid it lacks, the project's JWKS), or the
 * project's remote JWKS alone (`jwks-cache.ts`). Every source
 * is wrapped so that "the keys could not be obtained" (network, timeout,
 * non-200, bad JSON, a key that will not import) is told apart from "no key
 * has this kid".
 */
import type { Logger } from "../log.ts";
import { errors, type JWTVerifyGetKey } from "./jose.ts";
import { type JwksCall, KeySourceUnavailable, RemoteJwks } from "./jwks-cache.ts";
import type { AuthConfig } from "./types.ts";

export { JWKS_FAILURE_BACKOFF_MS, KeySourceUnavailable } from "./jwks-cache.ts";

const isTimeout = (err: unknown) =>
  err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");

function guardKeySource(source: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await source(header, token);
    } catch (err) {
      // A fetched key set without the token's kid is the caller's problem (401), not ours.
      if (err instanceof errors.JWKSNoMatchingKey) throw err;
      if (err instanceof errors.JWKSMultipleMatchingKeys) throw err;
      if (err instanceof KeySourceUnavailable) throw err;
      throw new KeySourceUnavailable(isTimeout(err) ? "jwks_timeout" : "jwks_unavailable", {
        cause: err,
      });
    }
  };
}

// Built once per (config, fetch) and kept for the life of the isolate, so keys
// are fetched lazily, cached, and refreshed on rotation without a redeploy.
const remoteSets = new WeakMap<AuthConfig, Map<typeof fetch | undefined, RemoteJwks>>();
const wrapped = new WeakMap<JWTVerifyGetKey, JWTVerifyGetKey>();

function wrapOnce(source: JWTVerifyGetKey): JWTVerifyGetKey {
  let guarded = wrapped.get(source);
  if (guarded === undefined) wrapped.set(source, guarded = guardKeySource(source));
  return guarded;
}

function remoteFor(config: AuthConfig, impl: typeof fetch | undefined): RemoteJwks {
  let byFetch = remoteSets.get(config);
  if (byFetch === undefined) remoteSets.set(config, byFetch = new Map());
  let set = byFetch.get(impl);
  if (set === undefined) byFetch.set(impl, set = new RemoteJwks(config.remoteJwks!, impl));
  return set;
}

/** What the key set borrows from the call's options: the key set override, `fetch` and the clock. */
export interface KeySetOptions {
  keySet?: JWTVerifyGetKey;
  fetch?: typeof fetch;
  now?: () => Date;
}

/** The key set for ES256/RS256 tokens under this config and these options, or null if none. */
export function asymmetricKeySet(
  config: AuthConfig,
  options: KeySetOptions,
  log: { logger: Logger; functionName?: string },
): JWTVerifyGetKey | null {
  if (options.keySet !== undefined) return wrapOnce(options.keySet);
  const remote = remoteKeySet(config, options, log);
  if (config.inlineKeySet === null) return remote;
  const inline = wrapOnce(config.inlineKeySet);
  if (remote === null) return inline;
  // SUPABASE_JWKS is a snapshot taken when the function started: a kid it lacks
  // may be a key Auth rotated to since, so the project's JWKS is asked (cached,
  // one refresh per cooldown). The inline set stays the authority: when Auth
  // cannot be reached, the unknown kid is the caller's 401, not a 503.
  return async (header, token) => {
    try {
      return await inline(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      try {
        return await remote(header, token);
      } catch (remoteErr) {
        throw remoteErr instanceof KeySourceUnavailable ? err : remoteErr;
      }
    }
  };
}

function remoteKeySet(
  config: AuthConfig,
  options: KeySetOptions,
  log: { logger: Logger; functionName?: string },
): JWTVerifyGetKey | null {
  if (config.remoteJwks === null) return null;
  const remote = remoteFor(config, options.fetch);
  const clock = options.now;
  const call: JwksCall = {
    now: clock === undefined ? Date.now : () => clock().getTime(),
    logger: log.logger,
    functionName: log.functionName,
  };
  return guardKeySource((header, token) => remote.getKey(call, header, token));
}
