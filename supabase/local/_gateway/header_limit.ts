/**
 * The gateway's request-header size limit. Imported only by `gateway.ts`.
 *
 * Deno.serve (hyper) itself refuses a request head over 64 KiB with an empty
 * `400 Bad Request` before any handler runs, and offers no setting for that
 * limit. So every request head of a connection, the first and each later one
 * on a kept-alive connection, is measured by a TCP front (`head_guard.ts`),
 * and the handler checks the header fields again here: an oversized header
 * gets a proper 431 (RFC 6585, section 5) with a JSON body, whatever its size.
 *
 * @module
 */
import type { PlatformErrorCode } from "../../functions/_shared/error-catalogue.ts";

/** Default limit on the request's header fields, in bytes: 32 KiB (below Deno.serve's 64 KiB). */
export const DEFAULT_MAX_HEADER_BYTES = 32 * 1024;

/**
 * Size of the header section as sent: `name: value\r\n` per field.
 *
 * @example
 * headerBytes(new Headers({ a: "b" })); // 6
 */
export function headerBytes(headers: Headers): number {
  let total = 0;
  for (const [name, value] of headers) total += name.length + value.length + 4;
  return total;
}

/**
 * The 431 answer: a fixed code, no echo of the request.
 *
 * @example
 * tooLarge().status; // 431
 */
export function tooLarge(): Response {
  return new Response(TOO_LARGE.body, {
    status: TOO_LARGE.status,
    headers: { "Content-Type": "application/json", Connection: "close" },
  });
}

/** The 431 answer as status, reason phrase and JSON body (also written raw by `head_guard.ts`). */
export const TOO_LARGE = {
  status: 431,
  reason: "Request Header Fields Too Large",
  body: JSON.stringify({
    code: "REQUEST_HEADER_FIELDS_TOO_LARGE" satisfies PlatformErrorCode,
    message: "Request header fields too large",
  }),
} as const;
