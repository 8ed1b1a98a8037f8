/**
 * A TCP front for the gateway that answers an oversized request head with a
 * proper 431 instead of Deno.serve's empty 400. Imported only by `gateway.ts`.
 *
 * Deno.serve (hyper) refuses a request head over 64 KiB with an empty
 * `400 Bad Request` before any handler runs and has no setting for it. The
 * front reads each connection's first request head (up to the limit); an
 * oversized one gets the gateway's 431 JSON answer and the connection is
 * closed, anything else is passed through to the Deno.serve behind it byte
 * for byte. Later requests on a kept-alive connection are checked by the
 * gateway's own handler (`header_limit.ts`), which sees heads up to 64 KiB.
 *
 * @module
 */

const END_OF_HEAD = new TextEncoder().encode("\r\n\r\n");

/** A running front. */
export interface HeadGuard {
  /** The port the front listens on (127.0.0.1). */
  port: number;
  /** Stops accepting and closes every open connection. Idempotent. */
  close(): Promise<void>;
}

function indexOfEnd(buf: Uint8Array, from: number): number {
  outer: for (let i = Math.max(0, from - 3); i + 4 <= buf.length; i++) {
    for (let j = 0; j < 4; j++) if (buf[i + j] !== END_OF_HEAD[j]) continue outer;
    return i;
  }
  return -1;
}

/** Reads until the end of the first head; null once more than `limit` bytes hold no end. */
async function readHead(conn: Deno.Conn, limit: number): Promise<Uint8Array | null> {
  let buf = new Uint8Array(0);
  const chunk = new Uint8Array(16 * 1024);
  for (;;) {
    const n = await conn.read(chunk);
    if (n === null) return buf;
    const next = new Uint8Array(buf.length + n);
    next.set(buf);
    next.set(chunk.subarray(0, n), buf.length);
    const from = buf.length;
    buf = next;
    const end = indexOfEnd(buf, from);
    if (end !== -1) return end + 4 > limit ? null : buf;
    if (buf.length > limit) return null;
  }
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

async function serveConn(conn: Deno.Conn, o: HeadGuardOptions, open: Set<Deno.Conn>) {
  let upstream: Deno.Conn | null = null;
  try {
    const head = await readHead(conn, o.maxHeadBytes);
    if (head === null) {
      o.onTooLarge?.();
      await writeAll(conn, rawResponse(o.tooLarge));
      return;
    }
    if (head.length === 0) return;
    upstream = await Deno.connect({ hostname: "127.0.0.1", port: o.upstreamPort });
    open.add(upstream);
    await writeAll(upstream, head);
    const up = upstream;
    await Promise.allSettled([
      conn.readable.pipeTo(up.writable, { preventClose: false }),
      up.readable.pipeTo(conn.writable, { preventClose: false }),
    ]);
  } catch {
    // A client or upstream that goes away mid-stream: nothing to answer.
  } finally {
    for (const c of [conn, upstream]) {
      if (c === null) continue;
      open.delete(c);
      try {
        c.close();
      } catch {
        // already closed by a finished pipe
      }
    }
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
