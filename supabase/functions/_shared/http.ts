/**
 * Small HTTP helpers shared by the functions: JSON responses, CORS and the
 * shape checks every request body needs.
 */

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

/** CORS headers for browser callers (the "sync now" button). */
export const corsHeaders: Readonly<Record<string, string>> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers":
    "authorization, x-client-info, apikey, content-type, x-cron-secret, traceparent, tracestate, baggage",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Max-Age": "86400",
};

/**
 * Builds a JSON response.
 *
 * @param body any JSON-serialisable value.
 * @param status HTTP status. Default 200.
 * @param headers extra headers.
 * @example
 * return json({ error: "server_misconfigured" }, 500);
 */
export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  h.set("Content-Type", "application/json");
  return new Response(JSON.stringify(body), { status, headers: h });
}
