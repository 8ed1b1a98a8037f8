/**
 * `./dev run`'s logs for a person at a terminal: each JSON log line (the
 * gateway's, the runtime's and the functions' own, as `_shared/log.ts` writes
 * them) becomes one line of at most the terminal's width: time, level,
 * function, event, then status, duration and the other fields. Lines that
 * are not JSON pass through. Imported only by `scripts/local_stack.ts`.
 *
 * @module
 */
import { createLogger, type Logger } from "../../supabase/functions/_shared/log.ts";

const HEAD = new Set(["level", "event", "timestamp", "function", "function_name"]);
const FIRST = ["method", "status", "duration_ms"];
const LEVEL: Record<string, string> = {
  debug: "debug",
  info: "info ",
  warn: "WARN ",
  error: "ERROR",
};

function value(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return /[\s"]/.test(s) ? JSON.stringify(s) : s;
}

function fieldWords(fields: Record<string, unknown>): string[] {
  const words: string[] = [];
  if (fields.method !== undefined) words.push(String(fields.method));
  if (fields.status !== undefined) words.push(String(fields.status));
  if (typeof fields.duration_ms === "number") words.push(`${fields.duration_ms}ms`);
  for (const [k, v] of Object.entries(fields)) {
    if (HEAD.has(k) || FIRST.includes(k) || v === null || v === undefined) continue;
    words.push(`${k}=${value(v)}`);
  }
  return words;
}

/**
 * One JSON log line as one human line of at most `width` columns (cut with "…").
 *
 * @example
 * humanLine('{"level":"info","event":"function_request","timestamp":"2026-12-06T21:30:04.120Z","function":"odoo-crm-sync","method":"POST","status":200,"duration_ms":12}');
 * // "21:30:04 info  odoo-crm-sync function_request POST 200 12ms"
 */
export function humanLine(line: string, width = 80): string {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line);
    if (parsed === null || typeof parsed !== "object" || typeof parsed.event !== "string") {
      throw new Error("not a log line");
    }
  } catch {
    return cut(line, width);
  }
  const time = typeof parsed.timestamp === "string" ? parsed.timestamp.slice(11, 19) : "--:--:--";
  const level = LEVEL[String(parsed.level)] ?? String(parsed.level);
  const fn = parsed.function ?? parsed.function_name;
  const words = [time, level, ...(typeof fn === "string" ? [fn] : []), parsed.event];
  return cut([...words, ...fieldWords(parsed)].join(" "), width);
}

function cut(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join("")}…`;
}

/**
 * A logger that writes human lines (through the bounded JSON formatter, so
 * what is logged is the same as in JSON mode).
 *
 * @param write receives each finished line.
 * @param width the terminal's columns. Default 80.
 * @returns a {@linkcode Logger}.
 * @example
 * const logger = humanLogger((l) => console.log(l), Deno.consoleSize().columns);
 */
export function humanLogger(write: (line: string) => void, width = 80): Logger {
  return createLogger((line) => write(humanLine(line, width)));
}

/**
 * How `./dev run` prints its logs: human lines when stdout is a terminal,
 * JSON lines when it is not (a pipe, a file, a log shipper) or with `--json-logs`.
 *
 * @example
 * logMode({ terminal: Deno.stdout.isTerminal(), jsonLogs: false }); // "human" at a terminal
 */
export function logMode(o: { terminal: boolean; jsonLogs: boolean }): "human" | "json" {
  return o.terminal && !o.jsonLogs ? "human" : "json";
}
