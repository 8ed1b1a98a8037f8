/**
 * A local stand-in for Supabase Auth (GoTrue) at `/auth/v1/*`, for the local
 * stack and its browser tests. The real Auth server cannot be built here (the
 * Go module proxy refuses github.com/supabase/auth; issue 15), so this serves
 * exactly what supabase-js 2.119.1 calls for email + password sessions:
 *
 * - `POST /auth/v1/token?grant_type=password` → GoTrue's session JSON
 *   (access_token, token_type "bearer", expires_in, expires_at, refresh_token, user)
 * - `POST /auth/v1/token?grant_type=refresh_token` (rotating refresh tokens)
 * - `GET /auth/v1/user`, `POST /auth/v1/logout?scope=`
 * - `GET /auth/v1/.well-known/jwks.json` (public; empty: tokens are HS256)
 *
 * Access tokens are HS256 with the project JWT secret and Auth's claim set,
 * minted as `user_tokens.ts` does; rights sit in `app_metadata.claims`
 * (integration_admin, organization_id), where the guard reads them. Users and
 * sessions live in memory. Errors, status codes and CORS follow supabase/auth
 * (files cited in `_auth/`). Everything but the JWKS needs an `apikey` header,
 * as behind Supabase's API gateway. Local use only.
 *
 * @module
 */
import { log as defaultLog, type Logger } from "../functions/_shared/log.ts";
import { corsFor, gotrueError, jsonFor } from "./_auth/http.ts";
import { type AuthState, logout, token, user } from "./_auth/handlers.ts";
import { SessionStore } from "./_auth/sessions.ts";
import { type AuthUserSpec, UserStore } from "./_auth/users.ts";

export type { AuthUserSpec } from "./_auth/users.ts";

/** Where the stand-in is mounted, relative to the project URL. */
export const AUTH_PREFIX = "/auth/v1";

/** Options for {@linkcode createLocalAuth}. */
export interface LocalAuthOptions {
  /** Project URL; tokens carry `iss` = `${projectUrl}/auth/v1`. */
  projectUrl: string;
  /** HS256 project JWT secret (the guard's JWT_SECRET). */
  jwtSecret: string;
  /** API keys accepted in `apikey` (anon, publishable, ...). Default: any key, but one is required. */
  apiKeys?: readonly string[];
  /** Access token lifetime in seconds (GOTRUE_JWT_EXP). Default 3600. */
  accessTokenTtlSeconds?: number;
  /** A used refresh token may be presented again this long (GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL). Default 10. */
  refreshTokenReuseIntervalSeconds?: number;
  /** Clock for tokens and sessions. Default: `() => new Date()`. */
  now?: () => Date;
  /** Sign-in, refresh and logout events (user and session ids only). Default: the console logger. */
  logger?: Logger;
}

/** A running stand-in: mount `handle` at {@linkcode AUTH_PREFIX}. */
export interface LocalAuth {
  /** Answers a request whose path starts with `/auth/v1/`. */
  handle(req: Request): Promise<Response>;
  /** Adds a user with a password; returns its id. */
  addUser(spec: AuthUserSpec): Promise<string>;
}

type Route = (req: Request, s: AuthState) => Response | Promise<Response>;

const ROUTES: Record<string, Route> = {
  "POST /token": token,
  "GET /user": user,
  "POST /logout": logout,
  "GET /.well-known/jwks.json": (req) => jsonFor(req, 200, { keys: [] }),
  "GET /health": (req) => jsonFor(req, 200, { name: "GoTrue", description: "local stand-in" }),
};

function apiKeyRefusal(req: Request, keys: readonly string[] | undefined): Response | null {
  const apikey = req.headers.get("apikey");
  // The gateway's answers (Kong key-auth), not GoTrue's.
  if (apikey === null) return jsonFor(req, 401, { message: "No API key found in request" });
  if (keys !== undefined && !keys.includes(apikey)) {
    return jsonFor(req, 401, { message: "Invalid API key" });
  }
  return null;
}

/**
 * Creates the stand-in. Add users with `addUser`, then route `/auth/v1/*` to `handle`.
 *
 * @param options project URL, JWT secret, token lifetime, clock, logger.
 * @returns the {@linkcode LocalAuth}.
 * @example
 * const auth = createLocalAuth({ projectUrl: "http://127.0.0.1:54321", jwtSecret });
 * await auth.addUser({ email: "admin@demo.local", password: "pw", claims: { integration_admin: true } });
 * Deno.serve((req) => auth.handle(req));
 */
export function createLocalAuth(options: LocalAuthOptions): LocalAuth {
  const now = options.now ?? (() => new Date());
  const state: AuthState = {
    users: new UserStore(),
    sessions: new SessionStore(options.refreshTokenReuseIntervalSeconds ?? 10),
    settings: {
      issuer: `${options.projectUrl.replace(/\/+$/, "")}${AUTH_PREFIX}`,
      jwtSecret: options.jwtSecret,
      ttlSeconds: options.accessTokenTtlSeconds ?? 3600,
    },
    now,
    logger: options.logger ?? defaultLog,
  };
  return {
    async handle(req) {
      if (req.method === "OPTIONS") {
        return new Response(null, { status: 204, headers: corsFor(req) });
      }
      const path = new URL(req.url).pathname.slice(AUTH_PREFIX.length) || "/";
      const route = ROUTES[`${req.method} ${path}`];
      if (path !== "/.well-known/jwks.json") {
        const refused = apiKeyRefusal(req, options.apiKeys);
        if (refused !== null) return refused;
      }
      if (route === undefined) return gotrueError(req, 404, "not_found", "Not Found");
      return await route(req, state);
    },
    async addUser(spec) {
      return (await state.users.add(spec, now())).id;
    },
  };
}
