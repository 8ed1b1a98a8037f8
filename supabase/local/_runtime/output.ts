/**
 * An isolate's stdout and stderr, line by line, into the gateway's logger: a
 * JSON log line of the function keeps its level, event and fields (so a test
 * or the stack's log sees the function's own events); any other line becomes
 * `function_output`. The last lines of stderr are kept to name a boot error or
 * a crash. Imported only by `runtime.ts`.
 *
 * @module
 */
import type { Logger } from "../../functions/_shared/log.ts";

const LEVELS = new Set(["debug", "info", "warn", "error"]);
const TAIL_LINES = 20;
const MAX_LINE = 10_000; // the platform's log message limit

/** Forwards one line; never throws. */
function forward(logger: Logger, name: string, stream: string, line: string): void {
  if (line.trim() === "") return;
  try {
    const parsed = JSON.parse(line);
    if (parsed !== null && typeof parsed === "object" && LEVELS.has(parsed.level)) {
      const { level, event, timestamp: _t, ...fields } = parsed;
      logger(level, String(event), { function_name: name, ...fields });
      return;
    }
  } catch { /* not a JSON log line */ }
  const level = stream === "stderr" ? "error" : "info";
  logger(level, "function_output", { function: name, stream, line: line.slice(0, MAX_LINE) });
}

/** Reads `stream` to its end, line by line. */
async function pump(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let rest = "";
  const decoder = new TextDecoder();
  try {
    for await (const chunk of stream) {
      const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    }
  } catch { /* the process was killed */ }
  if (rest !== "") onLine(rest);
}

/** What an isolate printed: `tail()` is its last stderr lines; `done` resolves at end of output. */
export interface IsolateOutput {
  tail(): string;
  done: Promise<void>;
}

/**
 * Starts forwarding both streams of `child`.
 *
 * @example
 * const out = forwardOutput(child, "hello-org", logger);
 * await child.status; await out.done; console.log(out.tail());
 */
export function forwardOutput(
  child: Deno.ChildProcess,
  name: string,
  logger: Logger,
): IsolateOutput {
  const tail: string[] = [];
  const onErr = (line: string) => {
    forward(logger, name, "stderr", line);
    const plain = line.trim(); // NO_COLOR is set for the isolate (spawn.ts)
    if (plain === "") return;
    tail.push(plain.slice(0, 500));
    if (tail.length > TAIL_LINES) tail.shift();
  };
  const done = Promise.all([
    pump(child.stdout, (line) => forward(logger, name, "stdout", line)),
    pump(child.stderr, onErr),
  ]).then(() => {});
  return { tail: () => tail.join("\n"), done };
}
