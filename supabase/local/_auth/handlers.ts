/**
 * The stand-in's endpoints, each as supabase/auth answers it:
 * `POST /token?grant_type=password|refresh_token` (`internal/api/token.go`,
 * `internal/tokens/service.go`), `GET /user` (`internal/api/user.go`),
 * `POST /logout?scope=` (`internal/api/logout.go`) and the public
 * `GET /.well-known/jwks.json` (`internal/api/jwks.go`; empty while tokens are
 * HS256). Internal: use `../auth.ts`.
 */
import type { Logger } from "../../functions/_shared/log.ts";
import { bearerOf, corsFor, gotrueError, jsonBody, jsonFor } from "./http.ts";
import type { SessionStore } from "./sessions.ts";
import { sessionJson, type TokenSettings, verifyAccessToken } from "./tokens.ts";
import { type AuthUser, userJson, type UserStore } from "./users.ts";

/** What every endpoint shares. */
export interface AuthState {
  users: UserStore;
  sessions: SessionStore;
  settings: TokenSettings;
  now: () => Date;
  logger: Logger;
}

const INVALID_LOGIN = "Invalid login credentials";

async function passwordGrant(req: Request, s: AuthState): Promise<Response> {
  const body = await jsonBody(req);
  if (body === null) return gotrueError(req, 400, "bad_json", "Could not parse request body");
  const { email, password } = body;
  if (typeof email !== "string" || email === "") {
    return gotrueError(req, 400, "validation_failed", "missing email or phone");
  }
  const user = await s.users.authenticate(email, typeof password === "string" ? password : "");
  if (user === null) {
    s.logger("warn", "auth_sign_in_failed", { reason: "invalid_credentials" });
    return gotrueError(req, 400, "invalid_credentials", INVALID_LOGIN);
  }
  const now = s.now();
  user.lastSignInAt = now;
  const { session, refreshToken } = s.sessions.start(user.id, now);
  s.logger("info", "auth_signed_in", { user_id: user.id, session_id: session.id });
  return jsonFor(req, 200, sessionJson(user, { session, refreshToken, now, settings: s.settings }));
}

async function refreshGrant(req: Request, s: AuthState): Promise<Response> {
  const body = await jsonBody(req);
  const token = body?.refresh_token;
  if (typeof token !== "string" || token === "") {
    return gotrueError(req, 400, "validation_failed", "refresh_token required");
  }
  const now = s.now();
  const outcome = s.sessions.refresh(token, now);
  if (!outcome.ok) {
    s.logger("warn", "auth_refresh_refused", { reason: outcome.code });
    return gotrueError(req, 400, outcome.code, outcome.msg);
  }
  const user = s.users.byId(outcome.session.userId)!;
  const { session, refreshToken } = outcome;
  s.logger("info", "auth_refreshed", { user_id: user.id, session_id: session.id });
  return jsonFor(req, 200, sessionJson(user, { session, refreshToken, now, settings: s.settings }));
}

/** `POST /token`: password or refresh_token grant. */
export function token(req: Request, s: AuthState): Promise<Response> | Response {
  const grant = new URL(req.url).searchParams.get("grant_type");
  if (grant === "password") return passwordGrant(req, s);
  if (grant === "refresh_token") return refreshGrant(req, s);
  return gotrueError(req, 400, "invalid_credentials", "unsupported_grant_type");
}

/** The caller's user and session id, or GoTrue's 401/403 answer. */
async function authenticate(
  req: Request,
  s: AuthState,
): Promise<{ user: AuthUser; sessionId: string | null } | Response> {
  const bearer = bearerOf(req);
  if (bearer === null) {
    return gotrueError(req, 401, "no_authorization", "This endpoint requires a valid Bearer token");
  }
  const verified = await verifyAccessToken(bearer, s.settings, s.now());
  if ("error" in verified) return gotrueError(req, 403, "bad_jwt", verified.error);
  const user = s.users.byId(verified.sub);
  if (user === undefined) {
    return gotrueError(req, 403, "user_not_found", "User from sub claim in JWT does not exist");
  }
  if (verified.sessionId !== null && s.sessions.get(verified.sessionId) === undefined) {
    const msg = "Session from session_id claim in JWT does not exist";
    return gotrueError(req, 403, "session_not_found", msg);
  }
  return { user, sessionId: verified.sessionId };
}

/** `GET /user`. */
export async function user(req: Request, s: AuthState): Promise<Response> {
  const caller = await authenticate(req, s);
  return caller instanceof Response ? caller : jsonFor(req, 200, userJson(caller.user));
}

/** `POST /logout?scope=global|local|others` → 204. */
export async function logout(req: Request, s: AuthState): Promise<Response> {
  const scope = new URL(req.url).searchParams.get("scope") || "global";
  if (scope !== "global" && scope !== "local" && scope !== "others") {
    return gotrueError(req, 400, "validation_failed", `Unsupported logout scope "${scope}"`);
  }
  const caller = await authenticate(req, s);
  if (caller instanceof Response) return caller;
  s.sessions.logout(caller.user.id, caller.sessionId, scope);
  s.logger("info", "auth_signed_out", { user_id: caller.user.id, scope });
  return new Response(null, { status: 204, headers: corsFor(req) });
}
