/**
 * HTTP/1.1 request framing for the gateway's TCP front (`head_guard.ts`): a
 * buffered reader over the client connection, the head of each request, and
 * where its body ends (Content-Length, or chunked transfer coding; RFC 9112,
 * sections 6 and 7.1), so that every request on a kept-alive connection, not
 * only the first, has its head measured. Imported only by `head_guard.ts`.
 *
 * @module
 */

const CRLF = [13, 10];

/** How a request's body is framed; `raw` = cannot tell (upgrade, odd framing): pass the rest through. */
export type Framing =
  | { kind: "length"; bytes: number }
  | { kind: "chunked" }
  | { kind: "raw" };

/**
 * The framing a request head declares.
 *
 * @example
 * framingOf(new TextEncoder().encode("POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n")); // { kind: "length", bytes: 2 }
 */
export function framingOf(head: Uint8Array): Framing {
  const lines = new TextDecoder("latin1").decode(head).split("\r\n").slice(1);
  const values = (name: string) =>
    lines.filter((l) => l.toLowerCase().startsWith(`${name}:`))
      .map((l) => l.slice(name.length + 1).trim().toLowerCase());
  if (values("upgrade").length > 0) return { kind: "raw" };
  const te = values("transfer-encoding");
  if (te.length > 0) {
    return te.join(",").replace(/\s/g, "") === "chunked" ? { kind: "chunked" } : { kind: "raw" };
  }
  const cl = [...new Set(values("content-length"))];
  if (cl.length === 0) return { kind: "length", bytes: 0 };
  return cl.length === 1 && /^\d{1,15}$/.test(cl[0])
    ? { kind: "length", bytes: Number(cl[0]) }
    : { kind: "raw" };
}

/** Reads a connection through a buffer: heads, lines, and counted bytes. */
export class ConnReader {
  #conn: Deno.Conn;
  #buf = new Uint8Array(0);
  #chunk = new Uint8Array(16 * 1024);

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Reads more bytes into the buffer; false at end of stream. */
  async #fill(): Promise<boolean> {
    const n = await this.#conn.read(this.#chunk);
    if (n === null) return false;
    const next = new Uint8Array(this.#buf.length + n);
    next.set(this.#buf);
    next.set(this.#chunk.subarray(0, n), this.#buf.length);
    this.#buf = next;
    return true;
  }

  #take(n: number): Uint8Array {
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    return out;
  }

  #find(pattern: number[], from: number): number {
    outer: for (
      let i = Math.max(0, from - pattern.length + 1);
      i + pattern.length <= this.#buf.length;
      i++
    ) {
      for (let j = 0; j < pattern.length; j++) if (this.#buf[i + j] !== pattern[j]) continue outer;
      return i;
    }
    return -1;
  }

  /**
   * Bytes up to and including the first `end` (e.g. CRLF CRLF); `null` once
   * more than `limit` bytes hold none; `"eof"` when the stream ends first.
   */
  async until(end: number[], limit: number): Promise<Uint8Array | null | "eof"> {
    let from = 0;
    for (;;) {
      const at = this.#find(end, from);
      if (at !== -1) return at + end.length > limit ? null : this.#take(at + end.length);
      if (this.#buf.length > limit) return null;
      from = this.#buf.length;
      if (!(await this.#fill())) return "eof";
    }
  }

  /** One request head (request line and fields, final CRLF included); see {@linkcode until}. */
  head(limit: number): Promise<Uint8Array | null | "eof"> {
    return this.until([...CRLF, ...CRLF], limit);
  }

  /** Hands exactly `n` bytes to `sink`, chunk by chunk; false when the stream ends first. */
  async copy(n: number, sink: (bytes: Uint8Array) => Promise<void>): Promise<boolean> {
    while (n > 0) {
      if (this.#buf.length === 0 && !(await this.#fill())) return false;
      const part = this.#take(Math.min(n, this.#buf.length));
      n -= part.length;
      await sink(part);
    }
    return true;
  }

  /** Relays everything the client still sends to `up`, unchecked. */
  async pipeRest(up: Deno.Conn): Promise<void> {
    for (
      let n = await this.#conn.read(this.#chunk);
      n !== null;
      n = await this.#conn.read(this.#chunk)
    ) {
      const bytes = this.#chunk.subarray(0, n);
      for (let off = 0; off < bytes.length;) off += await up.write(bytes.subarray(off));
    }
  }

  /** What is buffered and not yet handed out. */
  rest(): Uint8Array {
    return this.#take(this.#buf.length);
  }
}

/**
 * Hands a request body to `sink` as framed; false when the client's stream
 * ended or the chunked coding is malformed (the caller stops relaying then).
 */
export async function copyBody(
  reader: ConnReader,
  framing: Exclude<Framing, { kind: "raw" }>,
  sink: (bytes: Uint8Array) => Promise<void>,
  maxLine: number,
): Promise<boolean> {
  if (framing.kind === "length") return await reader.copy(framing.bytes, sink);
  for (;;) {
    const line = await reader.until(CRLF, maxLine);
    if (line === null || line === "eof") return false;
    await sink(line);
    const hex = new TextDecoder().decode(line).split(";")[0].trim();
    if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) return false;
    const size = parseInt(hex, 16);
    if (size === 0) break;
    if (!(await reader.copy(size + 2, sink))) return false;
  }
  for (;;) { // trailer fields, then the empty line
    const line = await reader.until(CRLF, maxLine);
    if (line === null || line === "eof") return false;
    await sink(line);
    if (line.length === 2) return true;
  }
}
