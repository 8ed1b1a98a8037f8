/**
 * A local stand-in for Supabase Auth (GoTrue) behind the API gateway, for the
 * peer benchmarks and tests: `GET /auth/v1/user` verifies the Bearer access
 * token and answers with the user object, `GET /auth/v1/.well-known/jwks.json`
 * publishes the public signing keys. This is what supabase-js
 * `auth.getUser(jwt)` and `auth.getClaims(jwt)` call.
 *
 * Like GoTrue: HS256 tokens are checked with the JWT secret, ES256/RS256 with
 * the signing keys (by `kid`); `exp`, `aud = "authenticated"` and `sub` are
 * required. Errors use GoTrue's shape: 401 `no_authorization` without a token,
 * 403 `bad_jwt` for a token that does not verify. Like the gateway, a missing
 * or unknown `apikey` header is 401 when `apiKeys` is given (the JWKS is public).
 */
import { createLocalJWKSet, type JWK, type JWTPayload, jwtVerify } from "jose";

export const USER_PATH = "/auth/v1/user";
export const JWKS_PATH = "/auth/v1/.well-known/jwks.json";

/** Options for {@linkcode startAuthServer}. */
export interface AuthServerOptions {
  /** HS256 secret (the project's legacy JWT secret). Default: HS256 tokens are refused. */
  jwtSecret?: string;
  /** Public signing keys (ES256/RS256 JWKs with `kid`). Default: none. */
  jwks?: { keys: JWK[] };
  /** Expected `iss`. Default: not checked. */
  issuer?: string;
  /** When set, `apikey` must be one of these (as the API gateway requires). Default: not checked. */
  apiKeys?: readonly string[];
}

/** A running stand-in. Always `await close()`. */
export interface AuthServer {
  /** Use as SUPABASE_URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Requests received per path (`USER_PATH`, `JWKS_PATH`, or others). */
  count(path: string): number;
  /** Lets the process exit while the server is still open (benchmarks, which have no teardown). */
  unref(): void;
  close(): Promise<void>;
}

const json = (status: number, body: unknown) => Response.json(body, { status });

function gotrueError(status: number, errorCode: string, msg: string): Response {
  return json(status, { code: status, error_code: errorCode, msg });
}

// The shape GoTrue returns for GET /user (models.User), built from the token.
function userObject(claims: JWTPayload & Record<string, unknown>) {
  const at = new Date(((claims.iat as number | undefined) ?? 0) * 1000).toISOString();
  return {
    id: claims.sub,
    aud: claims.aud,
    role: claims.role,
    email: claims.email ?? "",
    email_confirmed_at: at,
    phone: claims.phone ?? "",
    confirmed_at: at,
    last_sign_in_at: at,
    app_metadata: claims.app_metadata ?? {},
    user_metadata: claims.user_metadata ?? {},
    identities: [],
    created_at: at,
    updated_at: at,
    is_anonymous: claims.is_anonymous ?? false,
  };
}

function bearerOf(req: Request): string | null {
  const match = /^bearer[ \t]+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "");
  return match === null ? null : match[1];
}

function makeVerifier(options: AuthServerOptions) {
  const secret = options.jwtSecret === undefined
    ? null
    : new TextEncoder().encode(options.jwtSecret);
  const keySet = createLocalJWKSet(options.jwks ?? { keys: [] });
  const common = {
    audience: "authenticated",
    requiredClaims: ["sub", "exp"],
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
  };
  return async (token: string) => {
    const alg = JSON.parse(atob(token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/"))).alg;
    if (alg === "HS256") {
      if (secret === null) throw new Error("HS256 not enabled");
      return (await jwtVerify(token, secret, { ...common, algorithms: ["HS256"] })).payload;
    }
    return (await jwtVerify(token, keySet, { ...common, algorithms: ["ES256", "RS256"] }))
      .payload;
  };
}

/**
 * Starts the stand-in on 127.0.0.1, port 0.
 *
 * @example
 * const auth = startAuthServer({ jwtSecret: TEST_JWT_SECRET, jwks: key.jwks });
 * try {
 *   const supabase = createClient(auth.url, TEST_ANON_KEY);
 *   const { data } = await supabase.auth.getUser(token);
 * } finally {
 *   await auth.close();
 * }
 */
export function startAuthServer(options: AuthServerOptions = {}): AuthServer {
  const counts = new Map<string, number>();
  const verify = makeVerifier(options);
  const publicJwks = { keys: options.jwks?.keys ?? [] };
  const handler = async (req: Request): Promise<Response> => {
    const path = new URL(req.url).pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    // The JWKS is public; everything else sits behind the gateway's apikey check.
    if (req.method === "GET" && path === JWKS_PATH) return json(200, publicJwks);
    if (options.apiKeys !== undefined) {
      const apikey = req.headers.get("apikey");
      if (apikey === null) return json(401, { message: "No API key found in request" });
      if (!options.apiKeys.includes(apikey)) return json(401, { message: "Invalid API key" });
    }
    if (req.method !== "GET" || path !== USER_PATH) {
      return gotrueError(404, "not_found", "Not Found");
    }
    const token = bearerOf(req);
    if (token === null) {
      return gotrueError(401, "no_authorization", "This endpoint requires a valid Bearer token");
    }
    try {
      const claims = await verify(token);
      return json(200, userObject(claims as JWTPayload & Record<string, unknown>));
    } catch {
      return gotrueError(403, "bad_jwt", "invalid JWT: unable to parse or verify signature");
    }
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    count: (path) => counts.get(path) ?? 0,
    unref: () => server.unref(),
    close: () => server.shutdown(),
  };
}
