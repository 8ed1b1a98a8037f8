/**
 * Types shared by the guard's internals. The public ones are re-exported by
 * `auth-guard.ts`; import them from there.
 */
import type { Logger } from "../log.ts";
import type { JWTVerifyGetKey } from "./jose.ts";
import type { AuthSecrets } from "./secrets.ts";
import type { UnreadReason } from "./body.ts";

/** Who the guard let through, and what it may touch. */
export interface AuthContext {
  /** The verified `sub` of a user token; null for service callers. */
  userId: string | null;
  /**
   * Users: `app_metadata.claims.organization_id` from the verified token.
   * Service callers: the `org_id` the request names (query or JSON body), or null.
   */
  orgId: string | null;
  /** True for callers holding a service key or the cron secret. */
  isServiceRole: boolean;
  /** Which credential was accepted. */
  via: "service_key" | "cron_secret" | "user_jwt";
  /** `app_metadata.claims.integration_admin === true` in a user token; false for service callers. */
  isIntegrationAdmin: boolean;
  /** The verified user claims (frozen); null for service callers. */
  claims: Readonly<Record<string, unknown>> | null;
  /**
   * The body as the guard read and scoped it. The request stays readable too:
   * `req.json()` / `req.text()` / `req.formData()` give the same bytes.
   */
  body: RequestBody;
}

/**
 * The request body, read once by the guard (at most 1 MiB, within
 * `bodyTimeoutMs`). `json` whatever the declared Content-Type when the bytes
 * parse as JSON; `form` for form-encoded or multipart fields that are not JSON;
 * `other` for anything else (it names no organisation); `unread` only for
 * service callers whose body was too large, too slow or broke (their org then
 * comes from the query string); `empty` for no body or only whitespace.
 */
export type RequestBody =
  | { readonly kind: "empty" }
  | { readonly kind: "json"; readonly value: unknown }
  | { readonly kind: "form"; readonly fields: readonly (readonly [string, FormDataEntryValue])[] }
  | { readonly kind: "other" }
  | {
    readonly kind: "unread";
    readonly reason: UnreadReason;
  };

/** Signing algorithms the guard can accept for user tokens. */
export type UserTokenAlgorithm = "HS256" | "ES256" | "RS256";

/** One configuration problem: the setting's name and what is wrong, never its value. */
export interface ConfigProblem {
  readonly setting: string;
  readonly issue: string;
}

/** Where the remote JWKS lives and how it is cached (used when SUPABASE_JWKS is absent). */
export interface RemoteJwksConfig {
  /** `${SUPABASE_URL}/auth/v1/.well-known/jwks.json` */
  readonly url: string;
  /** Abort a key fetch after this long. Default 3000. */
  readonly timeoutMs: number;
  /** Minimum time between refetches triggered by an unknown `kid`. Default 30000. */
  readonly cooldownMs: number;
  /** Refetch keys older than this. Default 600000. */
  readonly cacheMaxAgeMs: number;
  /**
   * While refetching fails, keep using the last key set fetched successfully
   * for this long after it went stale (logged as `jwks_stale`). Default
   * 86400000 (24 h), from JWKS_GRACE_SECONDS.
   */
  readonly graceMs: number;
}

/** The guard's configuration, built once from the environment by `loadAuthConfig`. */
export interface AuthConfig {
  /** Expected `iss` of user tokens, `${SUPABASE_URL}/auth/v1`; null without SUPABASE_URL. */
  readonly issuer: string | null;
  /** Key set built from SUPABASE_JWKS, or null. */
  readonly inlineKeySet: JWTVerifyGetKey | null;
  /** Remote JWKS settings when SUPABASE_JWKS is absent and SUPABASE_URL is set, else null. */
  readonly remoteJwks: RemoteJwksConfig | null;
  /**
   * The project's ref (from the legacy keys, else a `*.supabase.co` SUPABASE_URL)
   * when JWT_SECRET is set: a legacy service_role JWT of this ref signed with
   * JWT_SECRET is a service caller. Null: only the configured key texts count.
   */
  readonly projectRef: string | null;
  /** Secret material (digests, HMAC key). Opaque; prints as `[redacted]`. */
  readonly secrets: AuthSecrets;
  /** Every problem found. Any problem makes every request answer 500 server_misconfigured. */
  readonly problems: readonly ConfigProblem[];
}

/** Per-call options of `verifyRequest`, `withAuth` and `denyOrgScope`. */
export interface VerifyOptions {
  /** Default: `loadAuthConfig(Deno.env)`, read once on first use and cached. */
  config?: AuthConfig;
  /** Users must carry `app_metadata.claims.integration_admin === true` and an organization. Default true. */
  requireIntegrationAdmin?: boolean;
  /** False = service callers only; any user token gets 403 insufficient_permissions. Default true. */
  allowUserTokens?: boolean;
  /** Key set for ES256/RS256 user tokens, replacing SUPABASE_JWKS / the remote JWKS. Default none. */
  keySet?: JWTVerifyGetKey;
  /** fetch used for the remote JWKS. Default: global `fetch`. */
  fetch?: typeof fetch;
  /** Clock for token time checks. Default: `() => new Date()`. */
  now?: () => Date;
  /** Where rejections and problems are logged. Default: `log` from log.ts. */
  logger?: Logger;
  /** Added to rejection logs as `function_name`. Default none. */
  functionName?: string;
  /** Bodies larger than this cannot be scoped. Default 1048576 (1 MiB). */
  maxBodyBytes?: number;
  /** A body not received completely within this long is treated as too large. Default 10000. */
  bodyTimeoutMs?: number;
}

/** Options of `withAuth`: the guard's, plus the request rules checked around it. */
export interface WithAuthOptions extends VerifyOptions {
  /**
   * Methods the handler serves. Any other (except OPTIONS, the CORS preflight)
   * gets 405 `method_not_allowed` with an `Allow` header, before authentication.
   * Default: every method.
   */
  methods?: readonly string[];
  /**
   * `"json_object"`: after authentication, a body that is neither empty nor a
   * JSON object (malformed JSON, an array, form fields, one the guard could not
   * read) gets 400 `invalid_request` before the handler runs. Default `"any"`.
   */
  body?: "json_object" | "any";
}
