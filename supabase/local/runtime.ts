/**
 * The local edge runtime: each function runs in its own isolate, a `deno run`
 * process started from its `index.ts` as Supabase's edge runtime starts it
 * (its own `Deno.serve` answers; `Deno.env` holds what the platform injects;
 * permissions net, env and read of the functions folder; `EdgeRuntime.waitUntil`),
 * with the hosted limits: request idle timeout (504), wall clock, memory and
 * CPU time (546 WORKER_LIMIT). Local use only; the gateway owns the isolates.
 *
 * @module
 */
import type { Logger } from "../functions/_shared/log.ts";
import { cpuTimeMs } from "./_runtime/cpu.ts";
import { HOSTED_LIMITS, LIMIT_MESSAGES, type LimitReason } from "./_runtime/limits.ts";
import type { RuntimeLimits } from "./_runtime/limits.ts";
import { forwardOutput } from "./_runtime/output.ts";
import { type Ending, exchange, forwardedRequest } from "./_runtime/proxy.ts";
import { spawnIsolate, waitListening } from "./_runtime/spawn.ts";

export { HOSTED_LIMITS };
export type { RuntimeLimits };
export { bootError, notFound } from "./_runtime/limits.ts";

/** What {@linkcode startIsolate} needs. */
export interface IsolateOptions {
  /** Function name (logs, and the path `/<name>` the function sees). */
  name: string;
  /** The function's `index.ts`. */
  file: string;
  /** The functions folder (the isolate may read it, nothing else). */
  functionsDir: string;
  /** The injected environment (SUPABASE_URL, keys, SUPABASE_DB_URL, ...). */
  env: Record<string, string>;
  /** Dotenv file of the project's secrets, or null. */
  envFile: string | null;
  /** Limits; see {@linkcode RuntimeLimits}. */
  limits: RuntimeLimits;
  /** Gets the function's log lines and the runtime's events. */
  logger: Logger;
  /** Called once when the process has ended, whatever the reason. */
  onExit?: () => void;
}

/** A running (or starting) isolate. */
export interface Isolate {
  /** Resolves to null once the function serves, or to the boot error (already logged). */
  ready: Promise<Error | null>;
  /** Answers one request (`rest` = path after `/functions/v1/<name>`, with the query). */
  handle(req: Request, rest: string): Promise<Response>;
  /** Stops taking requests: in-flight ones and background work finish (up to the wall clock). */
  retire(): void;
  /** Kills the process now and waits for it. */
  stop(): Promise<void>;
}

const MEMORY = /out of memory|heap limit|allocation failed/i;

/**
 * Starts one isolate for a function.
 *
 * @param o see {@linkcode IsolateOptions}.
 * @returns the {@linkcode Isolate}; call `stop()` or `retire()` when done.
 * @example
 * const iso = startIsolate({ name, file, functionsDir, env, envFile: null, limits: HOSTED_LIMITS, logger });
 * if ((await iso.ready) === null) await iso.handle(req, "");
 */
export function startIsolate(o: IsolateOptions): Isolate {
  const { name, limits, logger } = o;
  const { child, port } = spawnIsolate({ ...o, memoryMb: limits.memoryMb });
  const output = forwardOutput(child, name, logger);
  let killedFor: LimitReason | "stopped" | null = null;
  const inFlight = new Set<{ cpuStart: number | null }>();
  const kill = (reason: LimitReason | "stopped") => {
    if (killedFor !== null) return;
    killedFor = reason;
    if (reason !== "stopped" && inFlight.size > 0) {
      logger("error", "function_worker_limit", { function: name, reason: LIMIT_MESSAGES[reason] });
    } else if (reason !== "stopped") {
      logger("info", "function_isolate_stopped", {
        function: name,
        reason: LIMIT_MESSAGES[reason],
      });
    }
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  };
  const wall = setTimeout(() => kill("wall_clock"), limits.wallClockMs);
  const ended: Promise<Ending> = child.status.then(async (status) => {
    clearTimeout(wall);
    await output.done;
    const tail = output.tail();
    const reason = killedFor ?? (MEMORY.test(tail) ? "memory" : "crash");
    if (killedFor === null && reason === "memory") {
      logger("error", "function_worker_limit", { function: name, reason: LIMIT_MESSAGES.memory });
    }
    o.onExit?.();
    return { reason, detail: `exit ${status.code}${status.signal ? ` ${status.signal}` : ""}` };
  });
  const ready = waitListening(port, ended, limits.bootTimeoutMs).then(
    () => null,
    (err: Error) => {
      const error = output.tail() || err.message;
      logger("error", "function_boot_failed", { function: name, error: error.slice(-2000) });
      kill("stopped");
      return new Error(error);
    },
  );
  const cpuWatch = setInterval(async () => {
    if (inFlight.size === 0) return;
    const now = await cpuTimeMs(child.pid);
    if (now === null) return;
    for (const r of inFlight) {
      if (r.cpuStart !== null && now - r.cpuStart > limits.cpuTimeMs) kill("cpu_time");
    }
  }, 50);
  ended.then(() => clearInterval(cpuWatch));

  async function handle(req: Request, rest: string): Promise<Response> {
    const entry = { cpuStart: await cpuTimeMs(child.pid) };
    inFlight.add(entry);
    const started = performance.now();
    const abort = new AbortController();
    const inner = forwardedRequest(req, `http://127.0.0.1:${port}/${name}${rest}`, abort.signal);
    const { res, outcome } = await exchange(inner, {
      idleMs: limits.requestIdleTimeoutMs,
      abort,
      ended,
    }).finally(() => inFlight.delete(entry));
    const cpuEnd = entry.cpuStart === null ? null : await cpuTimeMs(child.pid);
    logger(res.status >= 500 ? "error" : "info", "function_request", {
      function: name,
      method: req.method,
      status: res.status,
      outcome,
      duration_ms: Math.round(performance.now() - started),
      cpu_time_ms: cpuEnd === null || entry.cpuStart === null ? null : cpuEnd - entry.cpuStart,
    });
    return res;
  }

  return {
    ready,
    handle,
    retire() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    },
    async stop() {
      kill("stopped");
      await ended;
    },
  };
}
