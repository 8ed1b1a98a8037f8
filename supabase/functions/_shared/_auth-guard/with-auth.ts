/**
 * `withAuth`: the preflight, the method rule, the guard, the body rule, the
 * handler, CORS on every response, and a 500 for anything thrown. Never throws.
 */
import { corsHeaders } from "../http.ts";
import { describeError } from "../log.ts";
import { type ClientErrorCode, errorResponse } from "./errors.ts";
import { callLogFor, verify } from "./verify.ts";
import type { AuthContext, WithAuthOptions } from "./types.ts";
import type { ReasonCode } from "../error-catalogue.ts";

/** A handler behind the guard. */
export type GuardedHandler = (req: Request, ctx: AuthContext) => Response | Promise<Response>;

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

function refuse(options: WithAuthOptions, reason: ReasonCode, fields: Record<string, unknown>) {
  const call = callLogFor(options);
  try {
    call.logger("warn", "request_refused", {
      ...(call.functionName === undefined ? {} : { function_name: call.functionName }),
      reason,
      ...fields,
    });
  } catch { /* a logger never stops an answer */ }
}

function methodRule(req: Request, options: WithAuthOptions): Response | null {
  const methods = options.methods;
  if (methods === undefined || methods.includes(req.method)) return null;
  refuse(options, "method_not_allowed", { method: req.method.slice(0, 20) });
  return errorResponse("method_not_allowed", { Allow: [...methods, "OPTIONS"].join(", ") });
}

function bodyRule(ctx: AuthContext, options: WithAuthOptions): Response | null {
  if (options.body !== "json_object") return null;
  const { body } = ctx;
  if (body.kind === "empty") return null;
  const value = body.kind === "json" ? body.value : undefined;
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return null;
  const reason: ReasonCode = body.kind === "unread"
    ? body.reason
    : `body_${body.kind === "json" ? "not_an_object" : "not_json"}`;
  refuse(options, reason, { caller_identity: ctx.userId ?? "service_role" });
  return errorResponse("invalid_request");
}

function internalError(err: unknown, identity: string, options: WithAuthOptions): Response {
  const call = callLogFor(options);
  try {
    call.logger("error", "handler_error", {
      ...(call.functionName === undefined ? {} : { function_name: call.functionName }),
      caller_identity: identity,
      error_detail: describeError(err),
    });
  } catch { /* a logger never stops an answer */ }
  return withCors(errorResponse("internal_error" satisfies ClientErrorCode));
}

/** See `withAuth` in auth-guard.ts. */
export function wrapHandler(
  handler: GuardedHandler,
  options: WithAuthOptions = {},
): (req: Request) => Promise<Response> {
  return async (req) => {
    let identity = "anonymous";
    try {
      if (req.method === "OPTIONS") {
        return new Response(null, { status: 204, headers: corsHeaders });
      }
      const wrongMethod = methodRule(req, options);
      if (wrongMethod !== null) return withCors(wrongMethod);
      const auth = await verify(req, options);
      if (auth instanceof Response) return withCors(auth);
      identity = auth.userId ?? "service_role";
      const badBody = bodyRule(auth, options);
      if (badBody !== null) return withCors(badBody);
      const res = await handler(req, auth);
      if (!(res instanceof Response)) throw new TypeError("the handler did not return a Response");
      return withCors(res);
    } catch (err) {
      return internalError(err, identity, options);
    }
  };
}
