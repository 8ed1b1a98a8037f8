/**
 * GoTrue's HTTP conventions for the stand-in: error bodies by API version
 * (supabase/auth `internal/api/errors.go`, HandleResponseError: a request
 * with `X-Supabase-Api-Version: 2024-01-01` or later, as auth-js sends, gets
 * `{code: <error_code>, message}` and the version echoed; older clients get
 * `{code: <status>, error_code, msg}`; both carry `x-sb-error-code`), and CORS
 * as the API gateway adds it in front of Auth (Kong's cors plugin reflecting
 * the requested headers). Internal: use `../auth.ts`.
 */

/** supabase/auth `internal/api/apiversions.go`. */
const API_VERSION_HEADER = "X-Supabase-Api-Version";
const API_VERSION_2024 = "2024-01-01";

/** CORS headers for a response to `req`. */
export function corsFor(req: Request): Headers {
  const headers = new Headers({
    "Access-Control-Allow-Origin": req.headers.get("origin") ?? "*",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "Access-Control-Expose-Headers": `X-Total-Count, Link, ${API_VERSION_HEADER}`,
    "Access-Control-Max-Age": "3600",
    Vary: "Origin",
  });
  const requested = req.headers.get("access-control-request-headers");
  if (requested !== null) headers.set("Access-Control-Allow-Headers", requested);
  return headers;
}

/** A JSON answer with CORS headers. */
export function jsonFor(req: Request, status: number, body: unknown): Response {
  const headers = corsFor(req);
  headers.set("Content-Type", "application/json");
  return new Response(JSON.stringify(body), { status, headers });
}

/** GoTrue's error answer for `req`'s API version. */
export function gotrueError(req: Request, status: number, errorCode: string, msg: string) {
  const version = req.headers.get(API_VERSION_HEADER) ?? "";
  const modern = /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= API_VERSION_2024;
  const res = modern
    ? jsonFor(req, status, { code: errorCode, message: msg })
    : jsonFor(req, status, { code: status, error_code: errorCode, msg });
  if (modern) res.headers.set(API_VERSION_HEADER, API_VERSION_2024);
  res.headers.set("x-sb-error-code", errorCode);
  return res;
}

/** The bearer token of `Authorization`, or null. */
export function bearerOf(req: Request): string | null {
  const match = /^bearer[ \t]+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "");
  return match === null ? null : match[1];
}

/** The JSON object body, or null when it is not one. */
export async function jsonBody(req: Request): Promise<Record<string, unknown> | null> {
  try {
    const value: unknown = JSON.parse(await req.text());
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? value as Record<string, unknown>
      : null;
  } catch {
    return null;
  }
}
