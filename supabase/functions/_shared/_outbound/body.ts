/**
 * Reading an answer body within a byte limit: chunk by chunk, never more than
 * the limit in memory, and the stream cancelled (the connection dropped) as
 * soon as the answer is known to be too large. Internal: use `outbound.ts`.
 */

/**
 * The answer had more than the allowed bytes; nothing of it is returned.
 *
 * @example
 * if (err instanceof AnswerTooLargeError) console.error(err.maxBytes);
 */
export class AnswerTooLargeError extends Error {
  override readonly name = "AnswerTooLargeError";
  constructor(readonly maxBytes: number) {
    super(`the answer is larger than ${maxBytes} bytes`);
  }
}

/**
 * Reads `res`'s body as UTF-8 text. Stops (and cancels the rest) after
 * `maxChars` characters when given; throws {@linkcode AnswerTooLargeError}
 * (after cancelling) when more than `maxBytes` bytes arrive first. A
 * `Content-Length` over the limit is refused before any byte is read.
 *
 * @example
 * const text = await readBounded(res, { maxBytes: 65536 });
 */
export async function readBounded(
  res: Response,
  o: { maxBytes: number; maxChars?: number },
): Promise<string> {
  if (res.body === null) return "";
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (declared > o.maxBytes) {
    await res.body.cancel().catch(() => {});
    throw new AnswerTooLargeError(o.maxBytes);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const maxChars = o.maxChars ?? Infinity;
  let bytes = 0;
  let text = "";
  try {
    while (text.length < maxChars) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      bytes += value.byteLength;
      if (bytes > o.maxBytes) throw new AnswerTooLargeError(o.maxBytes);
      text += decoder.decode(value, { stream: true });
    }
    return text.slice(0, maxChars);
  } finally {
    await reader.cancel().catch(() => {});
  }
}
