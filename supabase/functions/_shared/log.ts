/**
 * Structured logs: one JSON object per line with `level`, `event`, `timestamp`
 * and the event's fields. Callers must never pass a token, key, secret or
 * credential value as a field; identities are a `sub` or the literal
 * `service_role`.
 */

import { describeError, redact } from "./_log/redact.ts";

/** Severity of a log line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Receives one finished JSON line. */
export type LogSink = (line: string, level: LogLevel) => void;

/** Writes one structured event. */
export type Logger = (level: LogLevel, event: string, fields?: Record<string, unknown>) => void;

// Tests only: `tests/run_tests.ts` sets EDGE_GUARD_LOG_FILE and scans the file
// for leaked secrets. Never set in production. Read once, at module start.
const LOG_FILE: string | null = (() => {
  try {
    return Deno.env.get("EDGE_GUARD_LOG_FILE") || null;
  } catch {
    return null; // no env permission
  }
})();

function appendToLogFile(path: string, line: string): void {
  try {
    Deno.writeTextFileSync(path, `${line}\n`, { append: true });
  } catch {
    // Capture is best effort; the console line below is still written.
  }
}

const consoleSink: LogSink = (line, level) => {
  if (LOG_FILE !== null) appendToLogFile(LOG_FILE, line);
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
};

/** A log line never exceeds this many bytes (UTF-8). */
export const MAX_LOG_LINE_BYTES = 16 * 1024;
/** Strings in fields are cut to this many characters. */
export const MAX_LOG_STRING_CHARS = 2048;
const MAX_DEPTH = 6;

// JSON.stringify escapes U+0000-U+001F; these are escaped too so that no
// terminal or log shipper sees a control or line-breaking character.
const UNSAFE = /[\u007f-\u009f\u2028\u2029]/g;
const escapeUnsafe = (line: string) =>
  line.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}...[cut ${text.length - max} chars]`;
}

function bound(value: unknown, depth: number): unknown {
  if (typeof value === "string") return cut(value, MAX_LOG_STRING_CHARS);
  if (typeof value === "bigint" || typeof value === "symbol") return String(value);
  if (typeof value === "function") return "[function]";
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (depth >= MAX_DEPTH) return "[nested]";
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => bound(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value).slice(0, 100)) {
    out[cut(key, 100)] = bound(inner, depth + 1);
  }
  return out;
}

const byteLength = (line: string) => new TextEncoder().encode(line).byteLength;

/**
 * Formats one event as a JSON line of at most {@linkcode MAX_LOG_LINE_BYTES}:
 * strings cut, control characters escaped, unserialisable values replaced.
 * Never throws.
 */
export function formatLogLine(
  level: LogLevel,
  event: string,
  timestamp: string,
  fields: Record<string, unknown>,
): string {
  const head = { level, event: cut(String(event), 200), timestamp };
  let line: string;
  try {
    line = escapeUnsafe(JSON.stringify({ ...head, ...(bound(fields, 0) as object), ...head }));
  } catch {
    line = JSON.stringify({ ...head, log_error: "fields_not_serialisable" });
  }
  if (line.length <= MAX_LOG_LINE_BYTES / 3 || byteLength(line) <= MAX_LOG_LINE_BYTES) return line;
  const keep = cut(line, MAX_LOG_LINE_BYTES / 4);
  return escapeUnsafe(JSON.stringify({ ...head, log_truncated: true, partial: keep }));
}

/**
 * Creates a logger that formats events as bounded JSON lines and hands them to
 * `sink`. The logger never throws, whatever the fields or the sink do.
 *
 * @param sink where lines go. Default: `console.log` (debug, info) and
 *   `console.error` (warn, error), and the file named by EDGE_GUARD_LOG_FILE
 *   when that is set (tests). Tests pass an array-pushing sink.
 * @param now clock for `timestamp`. Default: `() => new Date()`.
 * @returns a {@linkcode Logger}.
 * @example
 * const lines: string[] = [];
 * const log = createLogger((l) => lines.push(l));
 * log("warn", "cron_secret_mismatch", { caller_identity: "anonymous" });
 */
export function createLogger(
  sink: LogSink = consoleSink,
  now: () => Date = () => new Date(),
): Logger {
  return (level, event, fields = {}) => {
    try {
      let timestamp: string;
      try {
        timestamp = now().toISOString();
      } catch {
        timestamp = new Date().toISOString();
      }
      sink(formatLogLine(level, event, timestamp, fields), level);
    } catch { /* a logger never throws */ }
  };
}

/**
 * The logger of one function: every line it writes carries `function_name`
 * (a line's own `function_name`, the same name, is kept). The start-up
 * (`setupFunction` of startup.ts) builds it once; everything the function
 * calls logs through it.
 *
 * @param functionName e.g. `"bot-scheduler"`.
 * @param logger where the lines go. Default: the console logger.
 * @returns a {@linkcode Logger}.
 * @example
 * const logger = functionLogger("check-sla-breaches");
 * logger("info", "sla_check_finished", { new_breaches: 0 }); // {..., "function_name":"check-sla-breaches"}
 */
export function functionLogger(functionName: string, logger: Logger = log): Logger {
  return (level, event, fields = {}) => {
    let tagged: Record<string, unknown>;
    try {
      tagged = { function_name: functionName, ...fields };
    } catch {
      tagged = { function_name: functionName, log_error: "fields_not_readable" };
    }
    logger(level, event, tagged);
  };
}

/** `redact` and `describeError`: see `_log/redact.ts`. */
export { describeError, redact };

/** The default process logger (console; also EDGE_GUARD_LOG_FILE when set, for tests). */
export const log: Logger = createLogger();
