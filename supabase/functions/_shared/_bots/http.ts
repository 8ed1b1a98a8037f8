/**
 * Outgoing HTTP for bots: one POST with a hard timeout (an AbortSignal that
 * also covers reading the response), and a bounded read of the response text.
 * Internal to bots.ts.
 */

/** What came back from {@linkcode postWithTimeout}. */
export type PostResult =
  | { ok: true; status: number; text: string }
  | { ok: false; status: number | null; timedOut: boolean; error: unknown };

/** Reads at most `maxChars` characters of a body and cancels the rest. */
export async function readPrefix(res: Response, maxChars: number): Promise<string> {
  if (res.body === null) return "";
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (text.length < maxChars) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text.slice(0, maxChars);
}

/**
 * POSTs `body` to `url` and reads up to `maxChars` of the answer, all within
 * `timeoutMs`. Never throws: network errors and timeouts are returned.
 */
export async function postWithTimeout(
  fetchFn: typeof fetch,
  url: string,
  init: { headers: HeadersInit; body: string; timeoutMs: number; maxChars: number },
): Promise<PostResult> {
  const controller = new AbortController();
  // A cleared timer rather than AbortSignal.timeout(): nothing outlives the call.
  const timer = setTimeout(() => controller.abort(), init.timeoutMs);
  let status: number | null = null;
  try {
    const res = await fetchFn(url, {
      method: "POST",
      headers: init.headers,
      body: init.body,
      signal: controller.signal,
    });
    status = res.status;
    return { ok: true, status, text: await readPrefix(res, init.maxChars) };
  } catch (error) {
    return { ok: false, status, timedOut: controller.signal.aborted, error };
  } finally {
    clearTimeout(timer);
  }
}

/** A short, URL-free description of a network error (URLs may carry tokens). */
export function describeError(error: unknown): string {
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : "";
  const clean = message.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s)]*/gi, "[url]").slice(0, 200);
  return clean === "" ? name : `${name}: ${clean}`;
}
