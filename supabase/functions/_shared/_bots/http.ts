/**
 * Outgoing HTTP for bots: one POST with a hard timeout covering the answer,
 * through the shared `outbound.ts`, and a URL-free error description.
 * Internal to bots.ts.
 */
import { fetchWithTimeout } from "../outbound.ts";

/** What came back from {@linkcode postWithTimeout}. */
export type PostResult =
  | { ok: true; status: number; text: string }
  | { ok: false; status: number | null; timedOut: boolean; error: unknown };

/**
 * POSTs `body` to `url` and reads up to `maxChars` of the answer, all within
 * `timeoutMs`. Never throws: network errors and timeouts are returned.
 */
export async function postWithTimeout(
  fetchFn: typeof fetch,
  url: string,
  init: { headers: HeadersInit; body: string; timeoutMs: number; maxChars: number },
): Promise<PostResult> {
  const r = await fetchWithTimeout(url, {
    fetch: fetchFn,
    init: { method: "POST", headers: init.headers, body: init.body },
    timeoutMs: init.timeoutMs,
    maxChars: init.maxChars,
  });
  return r.ok ? { ok: true, status: r.status, text: r.text } : r;
}

/** A short, URL-free description of a network error (URLs may carry tokens). */
export function describeError(error: unknown): string {
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : "";
  const clean = message.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s)]*/gi, "[url]").slice(0, 200);
  return clean === "" ? name : `${name}: ${clean}`;
}
