/**
 * Keeps the request readable after the guard read its body: the handler calls
 * `req.json()`, `req.text()`, `req.formData()`, `req.arrayBuffer()`,
 * `req.blob()`, `req.bytes()`, `req.body` or `req.clone()` as usual and gets
 * the bytes the guard read and scoped (never more than `maxBodyBytes`; they
 * are already in memory as `ctx.body`'s source). A body the guard could not
 * read whole (a service caller's body over the limit, too slow or broken) is
 * not kept, so memory stays bounded: reading it rejects with
 * {@linkcode GuardBodyError} naming the guard, never Deno's "Body already consumed".
 *
 * The same `Request` object is made readable again (own properties shadowing
 * the prototype's body accessors), so `verifyRequest(req)` callers keep using
 * `req` too.
 */
import type { ReasonCode } from "../error-catalogue.ts";
import type { UnreadReason } from "./body.ts";

/** Why the handler cannot read the body: the guard did not keep it. */
export class GuardBodyError extends Error {
  /** Stable code: `body_not_kept` (error-catalogue.ts). */
  readonly code: Extract<ReasonCode, "body_not_kept"> = "body_not_kept";
  /** Why the guard could not read the body whole. */
  readonly reason: UnreadReason;
  constructor(reason: UnreadReason) {
    super(
      `auth-guard: the request body was not kept (${reason}); the guard reads at most ` +
        'maxBodyBytes within bodyTimeoutMs. Read ctx.body (kind "unread") instead.',
    );
    this.name = "GuardBodyError";
    this.reason = reason;
  }
}

const READERS = ["arrayBuffer", "blob", "bytes", "formData", "json", "text"] as const;

function define(req: Request, props: Record<string, PropertyDescriptor>): void {
  for (const [name, desc] of Object.entries(props)) {
    Object.defineProperty(req, name, { ...desc, configurable: true });
  }
}

/** Makes `req`'s body read as `bytes` again (once, as a body reads). */
export function keepReadable(req: Request, bytes: Uint8Array<ArrayBuffer>): void {
  const contentType = req.headers.get("content-type");
  const replay = () =>
    new Response(
      bytes.slice(),
      contentType === null ? {} : { headers: { "content-type": contentType } },
    );
  let source: Response | null = null;
  const current = () => (source ??= replay());
  const props: Record<string, PropertyDescriptor> = {
    body: { get: () => current().body },
    bodyUsed: { get: () => source?.bodyUsed ?? false },
    clone: {
      value: () => {
        const hasBody = req.method !== "GET" && req.method !== "HEAD";
        const copy = new Request(req.url, {
          method: req.method,
          headers: req.headers,
          body: hasBody ? bytes.slice() : undefined,
        });
        return copy;
      },
    },
  };
  for (const name of READERS) {
    props[name] = { value: () => (current()[name] as () => Promise<unknown>)() };
  }
  define(req, props);
}

/** Makes every read of `req`'s body reject with {@linkcode GuardBodyError}. */
export function markNotKept(req: Request, reason: UnreadReason): void {
  const fail = () => Promise.reject(new GuardBodyError(reason));
  const props: Record<string, PropertyDescriptor> = {
    body: { get: () => null },
    bodyUsed: { get: () => true },
    clone: {
      value: () => {
        throw new GuardBodyError(reason);
      },
    },
  };
  for (const name of READERS) props[name] = { value: fail };
  define(req, props);
}
