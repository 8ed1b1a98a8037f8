/**
 * The shared auth guard: the only module functions import for authentication.
 *
 * Callers, in decision order: the cron secret (`x-cron-secret`), a service key
 * (`sb_secret_...` or the legacy `service_role` JWT, as `Authorization: Bearer`
 * or `apikey`; with JWT_SECRET a legacy service_role JWT of the project is
 * verified as a JWT), or a Supabase Auth user token (HS256 with JWT_SECRET,
 * ES256/RS256 with SUPABASE_JWKS or the project's JWKS, kept through an Auth
 * outage for a grace). User rights come only from `app_metadata.claims`. The
 * guard never touches the database.
 *
 * The guard is the one reader of the request: after authentication it reads
 * the body once (at most 1 MiB, within 10 s), scopes every `org_id` of the
 * query, a JSON body, form or multipart fields, and hands what it read to the
 * handler as `ctx.body`; the request stays readable (`req.json()` etc. give
 * the same bytes; `_auth-guard/replay.ts`).
 *
 * Client errors are a closed set with fixed bodies `{"error":"<code>"}`:
 * missing_authorization 401, invalid_token 401, insufficient_permissions 403,
 * org_scope_violation 403, server_misconfigured 500, auth_unavailable 503,
 * internal_error 500; withAuth's request rules add method_not_allowed 405 and
 * invalid_request 400. Reasons go to the server log only.
 *
 * @module
 */
import { loadAuthConfig } from "./_auth-guard/config.ts";
import { reject } from "./_auth-guard/errors.ts";
import { callLogFor, verify } from "./_auth-guard/verify.ts";
import { wrapHandler } from "./_auth-guard/with-auth.ts";
import type { AuthContext, VerifyOptions, WithAuthOptions } from "./_auth-guard/types.ts";

export type { AuthConfig, AuthContext, ConfigProblem, VerifyOptions } from "./_auth-guard/types.ts";
export type { RequestBody, WithAuthOptions } from "./_auth-guard/types.ts";
export type { RemoteJwksConfig, UserTokenAlgorithm } from "./_auth-guard/types.ts";
export type { EnvReader } from "./_auth-guard/config.ts";
export type { ClientErrorCode } from "./_auth-guard/errors.ts";
export type { JWTVerifyGetKey } from "./_auth-guard/jose.ts";
/**
 * What reading the request's body rejects with when the guard did not keep it
 * (a service caller's body over `maxBodyBytes`, too slow or broken): `code`
 * `"body_not_kept"`, `reason` the guard's. Read `ctx.body` instead.
 *
 * @example
 * const text = await req.text().catch((e) => e instanceof GuardBodyError ? null : Promise.reject(e));
 */
export { GuardBodyError } from "./_auth-guard/replay.ts";

/**
 * Builds the guard's configuration from environment variables: SUPABASE_URL,
 * JWT_SECRET, SUPABASE_JWKS, SUPABASE_SERVICE_ROLE_KEY, SUPABASE_SECRET_KEYS,
 * SUPABASE_ANON_KEY, SUPABASE_PUBLISHABLE_KEYS, CRON_SECRET,
 * JWKS_GRACE_SECONDS. Pure and never
 * throws: every problem is recorded by setting name in `problems`, and a config
 * with problems makes every request answer 500 server_misconfigured.
 *
 * @param env where to read variables. Default: `Deno.env`.
 * @returns the configuration; secrets inside it print as `[redacted]`.
 * @example
 * const config = loadAuthConfig({ get: (name) => myVars[name] });
 * if (config.problems.length) console.error(config.problems);
 */
export { loadAuthConfig };

/**
 * Authenticates and authorises a request. Returns an {@linkcode AuthContext}
 * for an accepted caller, or the fixed error `Response` to send back. Never
 * throws. After authentication it reads the request body itself, once and
 * bounded (`maxBodyBytes`, `bodyTimeoutMs`), and returns it as `ctx.body`; a
 * body that cannot be read whole is 403 org_scope_violation for users, and
 * for service callers `ctx.body.kind === "unread"` with the query's org.
 * `req` stays readable: `await req.json()` afterwards gives the same bytes.
 *
 * @param req the incoming request.
 * @param options see {@linkcode VerifyOptions}; all optional.
 * @returns the caller's context, or a 401/403/500/503 response.
 * @example
 * const auth = await verifyRequest(req, { functionName: "odoo-crm-sync" });
 * if (!isAuthContext(auth)) return auth;
 * // scope every query by auth.orgId
 */
export function verifyRequest(
  req: Request,
  options?: VerifyOptions,
): Promise<AuthContext | Response> {
  return verify(req, options);
}

/**
 * Narrows the result of {@linkcode verifyRequest}.
 *
 * @param x what verifyRequest returned.
 * @returns true when the caller was accepted.
 * @example
 * const auth = await verifyRequest(req);
 * if (!isAuthContext(auth)) return auth;
 */
export function isAuthContext(x: AuthContext | Response): x is AuthContext {
  return !(x instanceof Response);
}

/**
 * Refuses a target in another organisation that the handler discovered after
 * the guard (for example a bot owned by another org). Logs one `auth_rejected`
 * line and returns the same 403 org_scope_violation the guard sends.
 *
 * @param ctx the caller's context.
 * @param attemptedOrgId the organisation the caller tried to reach.
 * @param options `logger` and `functionName` are used; defaults as in verifyRequest.
 * @returns a 403 response.
 * @example
 * if (bot.org_id !== auth.orgId) return denyOrgScope(auth, bot.org_id, { functionName: "bot-executor" });
 */
export function denyOrgScope(
  ctx: AuthContext,
  attemptedOrgId: string | null,
  options: VerifyOptions = {},
): Response {
  const identity = ctx.userId ?? (ctx.isServiceRole ? "service_role" : "anonymous");
  return reject(
    callLogFor(options),
    "org_scope_violation",
    "org_mismatch",
    identity,
    attemptedOrgId,
  );
}

/**
 * Wraps a handler with the guard. In order: CORS preflight (`OPTIONS`) -> 204;
 * a method not in `options.methods` -> 405 `method_not_allowed` with `Allow`;
 * the guard; with `options.body: "json_object"`, a body that is not empty or a
 * JSON object -> 400 `invalid_request`; then the handler. CORS headers go on
 * every response. Never throws: anything thrown (any value) becomes 500
 * `internal_error`, logged as `handler_error`; the message never reaches the client.
 *
 * The handler receives the request readable again: `await req.json()`,
 * `req.text()`, `req.formData()` give the bytes the guard read and scoped, as do
 * `ctx.body` (see {@linkcode RequestBody}) and {@linkcode jsonObjectBody}. A
 * service caller's body the guard could not read whole is not kept: reading it
 * rejects with `GuardBodyError` (`code: "body_not_kept"`).
 *
 * @param handler receives the request and the caller's context.
 * @param options {@linkcode WithAuthOptions}: the guard's options plus `methods` and `body`.
 * @returns a `Deno.serve`-compatible handler.
 * @example
 * Deno.serve(withAuth((_req, auth) => json({ org: auth.orgId, body: jsonObjectBody(auth) }), {
 *   functionName: "sync",
 *   methods: ["POST"],
 *   body: "json_object",
 * }));
 */
export function withAuth(
  handler: (req: Request, ctx: AuthContext) => Response | Promise<Response>,
  options: WithAuthOptions = {},
): (req: Request) => Promise<Response> {
  return wrapHandler(handler, options);
}

/**
 * The body as a JSON object: `{}` for an empty body, the parsed object for a
 * JSON object body (the same value the guard scoped), null for anything else.
 *
 * @param ctx the caller's context from the guard.
 * @returns the object, or null.
 * @example
 * const body = jsonObjectBody(auth);
 * if (body === null) return errorJson("invalid_request");
 */
export function jsonObjectBody(ctx: AuthContext): Readonly<Record<string, unknown>> | null {
  const { body } = ctx;
  if (body.kind === "empty") return {};
  if (body.kind !== "json") return null;
  const value = body.value;
  const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
  return isObject ? value as Record<string, unknown> : null;
}
