/**
 * Structured logs: one JSON object per line with `level`, `event`, `timestamp`
 * and the event's fields. Callers must never pass a token, key, secret or
 * credential value as a field; identities are a `sub` or the literal
 * `service_role`.
 */

/** Severity of a log line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Receives one finished JSON line. */
export type LogSink = (line: string, level: LogLevel) => void;

/** Writes one structured event. */
export type Logger = (level: LogLevel, event: string, fields?: Record<string, unknown>) => void;

const consoleSink: LogSink = (line, level) =>
  level === "error" || level === "warn" ? console.error(line) : console.log(line);

/**
 * Creates a logger that formats events as JSON lines and hands them to `sink`.
 *
 * @param sink where lines go. Default: `console.log` (debug, info) and
 *   `console.error` (warn, error). Tests pass an array-pushing sink.
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
    sink(JSON.stringify({ level, event, timestamp: now().toISOString(), ...fields }), level);
  };
}

/** The default process logger (console). */
export const log: Logger = createLogger();
