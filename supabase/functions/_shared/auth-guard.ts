/**
 * The shared auth guard: the only module functions import for authentication.
 *
 * Callers, in decision order: the cron secret (`x-cron-secret`), a service key
 * (legacy `service_role` JWT or `sb_secret_...`, as `Authorization: Bearer` or
 * `apikey`), or a Supabase Auth user token (HS256 with JWT_SECRET, ES256/RS256
 * with SUPABASE_JWKS or the project's JWKS). User rights come only from
 * `app_metadata.claims`. The guard never touches the database.
 *
 * Client errors are a closed set with fixed bodies `{"error":"<code>"}`:
 * missing_authorization 401, invalid_token 401, insufficient_permissions 403,
 * org_scope_violation 403, server_misconfigured 500, auth_unavailable 503,
 * internal_error 500 (withAuth only). Reasons go to the server log only.
 *
 * @module
 */
import { corsHeaders } from "./http.ts";
import { loadAuthConfig } from "./_auth-guard/config.ts";
import { errorResponse, reject } from "./_auth-guard/errors.ts";
import { callLogFor, verify } from "./_auth-guard/verify.ts";
import type { AuthContext, VerifyOptions } from "./_auth-guard/types.ts";

export type { AuthConfig, AuthContext, ConfigProblem, VerifyOptions } from "./_auth-guard/types.ts";
export type { RemoteJwksConfig, UserTokenAlgorithm } from "./_auth-guard/types.ts";
export type { EnvReader } from "./_auth-guard/config.ts";
export type { ClientErrorCode } from "./_auth-guard/errors.ts";
export type { JWTVerifyGetKey } from "./_auth-guard/jose.ts";

/**
 * Builds the guard's configuration from environment variables: SUPABASE_URL,
 * JWT_SECRET, SUPABASE_JWKS, SUPABASE_SERVICE_ROLE_KEY, SUPABASE_SECRET_KEYS,
 * SUPABASE_ANON_KEY, SUPABASE_PUBLISHABLE_KEYS, CRON_SECRET. Pure and never
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
 * for an accepted caller, or the fixed error `Response` to send back. Reads the
 * request body (from a clone, only after authentication) to find `org_id`.
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

function withCors(res: Response): Response {
  try {
    for (const [name, value] of Object.entries(corsHeaders)) res.headers.set(name, value);
    return res;
  } catch {
    // Immutable headers (e.g. a Response from fetch): copy them.
    const copy = new Response(res.body, res);
    for (const [name, value] of Object.entries(corsHeaders)) copy.headers.set(name, value);
    return copy;
  }
}

function logHandlerError(err: unknown, identity: string, options: VerifyOptions): void {
  const call = callLogFor(options);
  call.logger("error", "handler_error", {
    ...(call.functionName === undefined ? {} : { function_name: call.functionName }),
    caller_identity: identity,
    error_name: err instanceof Error ? err.name : typeof err,
    error_message: err instanceof Error ? err.message : String(err),
  });
}

/**
 * Wraps a handler with the guard. Answers CORS preflight (`OPTIONS`) with 204
 * before authentication, calls the handler only for accepted callers, adds CORS
 * headers to every response, and turns a thrown error into 500 internal_error
 * (logged as `handler_error`; the message never reaches the client).
 *
 * @param handler receives the request (body unread) and the caller's context.
 * @param options passed to {@linkcode verifyRequest}.
 * @returns a `Deno.serve`-compatible handler.
 * @example
 * Deno.serve(withAuth(async (req, auth) => json({ org: auth.orgId }), { functionName: "sync" }));
 */
export function withAuth(
  handler: (req: Request, ctx: AuthContext) => Response | Promise<Response>,
  options: VerifyOptions = {},
): (req: Request) => Promise<Response> {
  return async (req) => {
    if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: corsHeaders });
    let identity = "anonymous";
    try {
      const auth = await verify(req, options);
      if (!isAuthContext(auth)) return withCors(auth);
      identity = auth.userId ?? "service_role";
      return withCors(await handler(req, auth));
    } catch (err) {
      logHandlerError(err, identity, options);
      return withCors(errorResponse("internal_error"));
    }
  };
}
