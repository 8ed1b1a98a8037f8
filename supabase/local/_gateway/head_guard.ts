/**
 * A TCP front for the gateway that answers an oversized request head with a
 * proper 431 instead of Deno.serve's empty 400. Imported only by `gateway.ts`.
 *
 * Deno.serve (hyper) refuses a request head over 64 KiB with an empty
 * `400 Bad Request` before any handler runs and has no setting for it. The
 * front reads every request head of a connection (up to the limit), relays it
 * and its body (framed by Content-Length or chunked coding, `framing.ts`) to
 * the Deno.serve behind it byte for byte, and reads the next head. An
 * oversized head, the first or any later one on a kept-alive connection, is
 * never relayed: the front half-closes the upstream connection, lets the
 * answers to the earlier requests through, then writes the gateway's 431 JSON
 * answer and closes. A request it cannot frame (an upgrade, a conflicting
 * Content-Length) makes it relay the rest of the connection unchecked;
 * Deno.serve refuses such framing itself.
 *
 * @module
 */

import { ConnReader, copyBody, framingOf } from "./framing.ts";

/** A running front. */
export interface HeadGuard {
  /** The port the front listens on (127.0.0.1). */
  port: number;
  /** Stops accepting and closes every open connection. Idempotent. */
  close(): Promise<void>;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
}

function rawResponse(res: { status: number; reason: string; body: string }): Uint8Array {
  const body = new TextEncoder().encode(res.body);
  const head = `HTTP/1.1 ${res.status} ${res.reason}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  const out = new Uint8Array(head.length + body.length);
  out.set(new TextEncoder().encode(head));
  out.set(body, head.length);
  return out;
}

/** Relays requests from `reader` to `up` while their heads fit; true when one did not. */
async function relayRequests(
  reader: ConnReader,
  first: Uint8Array,
  up: Deno.Conn,
  o: HeadGuardOptions,
): Promise<boolean> {
  const sink = (bytes: Uint8Array) => writeAll(up, bytes);
  for (let head = first;;) {
    await sink(head);
    const framing = framingOf(head);
    if (framing.kind === "raw") {
      await sink(reader.rest());
      await reader.pipeRest(up);
      return false;
    }
    if (!(await copyBody(reader, framing, sink, o.maxHeadBytes))) return false;
    const next = await reader.head(o.maxHeadBytes);
    if (next === "eof") return false;
    if (next === null) return true;
    head = next;
  }
}

async function serveConn(conn: Deno.Conn, o: HeadGuardOptions, open: Set<Deno.Conn>) {
  let upstream: Deno.Conn | null = null;
  try {
    const reader = new ConnReader(conn);
    const first = await reader.head(o.maxHeadBytes);
    if (first === "eof") return;
    if (first !== null) {
      upstream = await Deno.connect({ hostname: "127.0.0.1", port: o.upstreamPort });
      open.add(upstream);
      const up = upstream;
      let relaying = true;
      // When Deno.serve closes first (Connection: close, an error), so does the client's side.
      const answers = up.readable.pipeTo(conn.writable, { preventClose: true }).catch(() => {})
        .then(() => relaying && closeQuietly(conn));
      const refused = await relayRequests(reader, first, up, o).catch(() => false);
      relaying = false;
      // End of requests: Deno.serve finishes the answers in flight, then closes.
      await up.closeWrite().catch(() => {});
      await answers;
      if (!refused) return;
    }
    o.onTooLarge?.();
    await writeAll(conn, rawResponse(o.tooLarge));
  } catch {
    // A client or upstream that goes away mid-stream: nothing to answer.
  } finally {
    for (const c of [conn, upstream]) {
      if (c === null) continue;
      open.delete(c);
      closeQuietly(c);
    }
  }
}

function closeQuietly(c: Deno.Conn): void {
  try {
    c.close();
  } catch {
    // already closed
  }
}

/** Options for {@linkcode startHeadGuard}. */
export interface HeadGuardOptions {
  /** Port to listen on (127.0.0.1); 0 picks a free one. */
  port: number;
  /** Port of the Deno.serve behind the front (127.0.0.1). */
  upstreamPort: number;
  /** Largest first request head (request line, header fields, final CRLF) passed through. */
  maxHeadBytes: number;
  /** The answer to an oversized head. */
  tooLarge: { status: number; reason: string; body: string };
  /** Called for each head refused (logging). Default: none. */
  onTooLarge?: () => void;
}

/**
 * Starts the front.
 *
 * @param o ports, the head limit and the 431 answer.
 * @returns the running {@linkcode HeadGuard}.
 * @example
 * const front = startHeadGuard({ port: 0, upstreamPort: 40123, maxHeadBytes: 32768, tooLarge });
 * await front.close();
 */
export function startHeadGuard(o: HeadGuardOptions): HeadGuard {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: o.port });
  const open = new Set<Deno.Conn>();
  const served = new Set<Promise<void>>();
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        open.add(conn);
        const p = serveConn(conn, o, open).finally(() => served.delete(p));
        served.add(p);
      }
    } catch {
      // the listener was closed
    }
  })();
  let closed: Promise<void> | undefined;
  return {
    port: (listener.addr as Deno.NetAddr).port,
    close() {
      closed ??= (async () => {
        listener.close();
        await accepting;
        for (const c of open) {
          try {
            c.close();
          } catch {
            // already closed
          }
        }
        await Promise.allSettled([...served]);
      })();
      return closed;
    },
  };
}
