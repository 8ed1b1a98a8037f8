/**
 * `/auth/v1/*` → Supabase Auth, as Supabase's API gateway routes it
 * (supabase/supabase `docker/volumes/api/kong.yml`, services `auth-v1-open*`
 * and `auth-v1`): the prefix is stripped (`strip_path: true`), so
 * `/auth/v1/token?grant_type=password` reaches Auth as `/token?grant_type=password`.
 *
 * - Open routes, no `apikey`: `/verify`, `/callback`, `/authorize` and
 *   `/.well-known/jwks.json`. Every other route needs an `apikey` header that is
 *   one of the project's keys (Kong's key-auth: 401 `{"message":"No API key
 *   found in request"}` / `{"message":"Invalid API key"}`).
 * - CORS as Kong's cors plugin adds it on every auth route: a preflight is
 *   answered by the gateway itself, reflecting the requested headers; answers
 *   get `Access-Control-Allow-Origin` set to the request's origin.
 *
 * Local use only. Internal: use `../auth.ts`.
 */

/** The prefix this mounts on. */
export const AUTH_MOUNT_PREFIX = "/auth/v1/";

const OPEN = new Set(["/verify", "/callback", "/authorize", "/.well-known/jwks.json"]);
// Hop-by-hop headers (RFC 9110 §7.6.1), plus accept-encoding: fetch would decode
// a compressed answer but keep its Content-Encoding.
const DROP = [
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "host",
  "accept-encoding",
];

/** CORS headers for an answer to `req`. */
function cors(req: Request): Headers {
  const headers = new Headers({
    "Access-Control-Allow-Origin": req.headers.get("origin") ?? "*",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Allow-Methods": "GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS",
    "Access-Control-Expose-Headers": "X-Total-Count, Link, X-Supabase-Api-Version",
    "Access-Control-Max-Age": "3600",
    Vary: "Origin",
  });
  const requested = req.headers.get("access-control-request-headers");
  if (requested !== null) headers.set("Access-Control-Allow-Headers", requested);
  return headers;
}

function withCors(req: Request, res: Response): Response {
  const headers = new Headers(res.headers);
  for (const [k, v] of cors(req)) if (k !== "access-control-allow-headers") headers.set(k, v);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

function keyRefusal(req: Request, apiKeys: readonly string[]): Response | null {
  const apikey = req.headers.get("apikey");
  if (apikey === null) {
    return Response.json({ message: "No API key found in request" }, { status: 401 });
  }
  if (!apiKeys.includes(apikey)) {
    return Response.json({ message: "Invalid API key" }, { status: 401 });
  }
  return null;
}

/** Options for {@linkcode authProxy}. */
export interface AuthProxyOptions {
  /** Auth's own URL (`LocalAuth.url`), e.g. `http://127.0.0.1:40123`. */
  upstream: string;
  /** Keys accepted in `apikey` (the anon, service_role, publishable and secret keys). */
  apiKeys: readonly string[];
}

/**
 * A gateway mount for `/auth/v1/` that forwards to Auth.
 *
 * @param options Auth's URL and the accepted API keys.
 * @returns `{ prefix, handle }` for `serveFunctions({ mounts })`.
 * @example
 * serveFunctions({ env, mounts: [authProxy({ upstream: auth.url, apiKeys: [anonKey] })] });
 */
export function authProxy(options: AuthProxyOptions) {
  const upstream = options.upstream.replace(/\/+$/, "");
  return {
    prefix: AUTH_MOUNT_PREFIX,
    async handle(req: Request): Promise<Response> {
      if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: cors(req) });
      const url = new URL(req.url);
      const path = url.pathname.slice(AUTH_MOUNT_PREFIX.length - 1);
      if (!OPEN.has(path)) {
        const refused = keyRefusal(req, options.apiKeys);
        if (refused !== null) return withCors(req, refused);
      }
      const headers = new Headers(req.headers);
      for (const name of DROP) headers.delete(name);
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      try {
        const res = await fetch(`${upstream}${path}${url.search}`, {
          method: req.method,
          headers,
          body: hasBody ? await req.arrayBuffer() : undefined,
          redirect: "manual",
        });
        return withCors(req, res);
      } catch {
        // Kong's answer when the upstream cannot be reached.
        return withCors(
          req,
          Response.json({ message: "An invalid response was received from the upstream server" }, {
            status: 502,
          }),
        );
      }
    },
  };
}
