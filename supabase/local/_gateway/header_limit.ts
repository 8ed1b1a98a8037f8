/**
 * The gateway's request-header size limit. Imported only by `gateway.ts`.
 *
 * Deno.serve (hyper) itself refuses a request head over 64 KiB with an empty
 * `400 Bad Request` before any handler runs, and offers no setting for that
 * limit. The gateway's own limit sits below it, so an oversized header gets a
 * proper 431 (RFC 6585, section 5) with a JSON body instead, up to that point.
 *
 * @module
 */

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
  return Response.json(
    { code: "REQUEST_HEADER_FIELDS_TOO_LARGE", message: "Request header fields too large" },
    { status: 431, headers: { Connection: "close" } },
  );
}
