/**
 * The one bounded read of a request body: at most `limitBytes`, finished within
 * `timeoutMs`, then the request's own body stream is cancelled. Never throws.
 */
import type { ReasonCode } from "../error-catalogue.ts";

/** Why a body could not be read whole (and so cannot be scoped). */
export type UnreadReason = Extract<
  ReasonCode,
  "body_too_large" | "body_timeout" | "body_unreadable"
>;

/** What reading the body gave: the bytes, or why it could not be read whole. */
export type BodyRead =
  | { ok: true; bytes: Uint8Array<ArrayBuffer> }
  | { ok: false; reason: UnreadReason };

/** Bodies larger than this cannot be scoped (users: 403; service callers: the query's org). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A body not received completely within this long is treated like one too large. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

const EMPTY = new Uint8Array(new ArrayBuffer(0));

// Cancelling the request's own stream (never a tee branch of `req.clone()`,
// whose cancel waits for the other branch) tells the server to stop receiving.
function cancel(reader: ReadableStreamDefaultReader<Uint8Array<ArrayBuffer>>): void {
  try {
    reader.cancel().catch(() => {});
  } catch { /* already errored or released */ }
}

function concat(chunks: Uint8Array<ArrayBuffer>[], size: number): Uint8Array<ArrayBuffer> {
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function drain(
  reader: ReadableStreamDefaultReader<Uint8Array<ArrayBuffer>>,
  limit: number,
  deadline: Promise<"timeout">,
): Promise<BodyRead> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  while (true) {
    const next = await Promise.race([reader.read(), deadline]);
    if (next === "timeout") return { ok: false, reason: "body_timeout" };
    if (next.done) return { ok: true, bytes: concat(chunks, size) };
    size += next.value.byteLength;
    if (size > limit) return { ok: false, reason: "body_too_large" };
    chunks.push(next.value);
  }
}

/**
 * Reads the body of `req` once (it is consumed afterwards). A declared
 * Content-Length over the limit is refused without reading.
 */
export async function readBody(
  req: Request,
  limits: { limitBytes: number; timeoutMs: number },
): Promise<BodyRead> {
  if (req.bodyUsed) return { ok: false, reason: "body_unreadable" };
  const body = req.body;
  if (body === null) return { ok: true, bytes: EMPTY };
  let reader: ReadableStreamDefaultReader<Uint8Array<ArrayBuffer>>;
  try {
    reader = body.getReader();
  } catch {
    return { ok: false, reason: "body_unreadable" };
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limits.limitBytes) {
    cancel(reader);
    return { ok: false, reason: "body_too_large" };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), limits.timeoutMs);
  });
  try {
    const read = await drain(reader, limits.limitBytes, deadline);
    if (!read.ok) cancel(reader);
    return read;
  } catch {
    cancel(reader);
    return { ok: false, reason: "body_unreadable" };
  } finally {
    clearTimeout(timer);
  }
}
