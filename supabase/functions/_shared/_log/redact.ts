/**
 * What may be logged of a text or a thrown value: the one redaction rule and
 * the one error description. Internal to log.ts.
 */

// Order matters: an `sb_` key is base64url and may contain `eyJ`, so it is
// replaced whole first (a JWS pattern inside it would leave the key's head).
const KEY_SHAPES: readonly [RegExp, string][] = [
  [/sb_(secret|publishable)_[A-Za-z0-9_-]+/g, "sb_$1_…"], // Supabase's new API keys
  [/eyJ[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){0,2}/g, "eyJ…"], // a compact JWS: a token or legacy key
  [/(\w+:\/\/[^:/@\s]*:)[^@\s]*@/g, "$1…@"], // the password of a URL
];

/**
 * Makes text safe to log or print: every given secret value becomes
 * `[redacted]` (longest first), then anything shaped like a key (a JWT, an
 * `sb_` key, a URL password) becomes its kind marker. The one redaction rule
 * of the project: the Odoo client, the sync and the doctor all use it.
 *
 * @param text the text to clean, e.g. an error message quoting a server.
 * @param secrets values that must not appear, e.g. the Odoo API key. Empty ones are ignored.
 * @returns the cleaned text.
 * @example
 * redact("bad key k-123 in Bearer eyJhbGciOi.eyJyb2xl.sig", ["k-123"]);
 * // "bad key [redacted] in Bearer eyJ…"
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  const values = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  const blanked = values.reduce((t, s) => t.split(s).join("[redacted]"), text);
  return KEY_SHAPES.reduce((t, [re, marker]) => t.replace(re, marker), blanked);
}

function readSafely(read: () => unknown): string {
  try {
    const value = read();
    return typeof value === "string" ? value : "";
  } catch {
    return "";
  }
}

// A URL may carry a token in its query or path: the whole URL goes.
const URLS = /[a-z][a-z0-9+.-]*:\/\/[^\s)'"]*/gi;

/**
 * The one description of a thrown value for a log line (or a stored excerpt, or
 * the doctor's text): `Name code: message` of an `Error`, on one line, with
 * every given secret, anything shaped like a key (`redact`) and every
 * URL blanked, cut to `max` characters. A value that is not an `Error` (a
 * string, an object…) is described by its type only: its text may be anything,
 * a credential included. Never throws.
 *
 * @param err what was caught.
 * @param o `secrets`: values that must not appear (default none); `max`: characters kept
 *   (default 300).
 * @returns e.g. `"TypeError: error sending request for url ([url])"`.
 * @example
 * logger("error", "sync_worker_failed", { function_name, error_detail: describeError(err) });
 */
export function describeError(
  err: unknown,
  o: { secrets?: readonly string[]; max?: number } = {},
): string {
  const max = o.max ?? 300;
  try {
    if (!(err instanceof Error)) return (err === null ? "null" : typeof err).slice(0, max);
  } catch {
    return "unknown"; // a Proxy whose prototype cannot be read
  }
  const name = readSafely(() => err.name).slice(0, 100) || "Error";
  const code = readSafely(() => (err as { code?: unknown }).code).slice(0, 40);
  const message = readSafely(() => err.message);
  const head = code === "" ? name : `${name} ${code}`;
  const text = message === "" ? head : `${head}: ${message}`;
  const clean = redact(text, o.secrets ?? []).replace(URLS, "[url]").replace(/\s+/g, " ").trim();
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}
