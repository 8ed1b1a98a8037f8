/**
 * Small HTTP helpers shared by the functions: JSON responses, CORS and the
 * shape checks every request body needs.
 */
import { type ClientErrorCode, clientStatus } from "./error-catalogue.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True for a canonical uuid string (any version, either case).
 *
 * @param value the text to check.
 * @returns whether it is `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex.
 * @example
 * isUuid("0f4b5c8e-1a2b-4c3d-8e9f-00000000000a"); // true
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

// Every header supabase-js 2.x may send to a function: the list of its own
// `corsHeaders` export (npm:@supabase/supabase-js@2.119.1, dist/cors.mjs,
// SUPABASE_HEADERS) plus `x-region` (functions-js FunctionsClient, region
// option) and `x-supabase-api-version` (auth-js), then our `x-cron-secret`.
const ALLOWED_HEADERS = [
  "authorization",
  "x-client-info",
  "apikey",
  "content-type",
  "x-retry-count",
  "traceparent",
  "tracestate",
  "baggage",
  "x-region",
  "x-supabase-api-version",
  "x-cron-secret",
];

/**
 * CORS headers for browser callers (the "sync now" button): every header
 * supabase-js 2.x sends is allowed, and `WWW-Authenticate` is exposed so browser
 * code can read why a call was refused. The functions serve POST, `integration-status` GET.
 */
export const corsHeaders: Readonly<Record<string, string>> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": ALLOWED_HEADERS.join(", "),
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Expose-Headers": "WWW-Authenticate",
  "Access-Control-Max-Age": "86400",
};

/**
 * Builds a JSON response.
 *
 * @param body any JSON-serialisable value.
 * @param status HTTP status. Default 200.
 * @param headers extra headers.
 * @example
 * return json({ ok: true });
 */
export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  h.set("Content-Type", "application/json");
  return new Response(JSON.stringify(body), { status, headers: h });
}

/**
 * The answer for a client error code: `{"error":"<code>", ...fields}` with the
 * status the catalogue gives the code (error-catalogue.ts).
 *
 * @param code a client code.
 * @param fields more fields of the body. Default none.
 * @example
 * return errorJson("bot_disabled"); // 409 {"error":"bot_disabled"}
 */
export function errorJson(code: ClientErrorCode, fields: Record<string, unknown> = {}): Response {
  return json({ error: code, ...fields }, clientStatus(code));
}
