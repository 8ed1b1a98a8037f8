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
import { forwardOutput, type IsolateOutput } from "./_runtime/output.ts";
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

/** One isolate's moving parts, shared by the pieces below. */
interface State {
  o: IsolateOptions;
  child: Deno.ChildProcess;
  port: number;
  output: IsolateOutput;
  inFlight: Set<{ cpuStart: number | null }>;
  killedFor: LimitReason | "stopped" | null;
}

/** Kills the process once, logging the limit (an error while a request runs). */
function killer(s: State): (reason: LimitReason | "stopped") => void {
  return (reason) => {
    if (s.killedFor !== null) return;
    s.killedFor = reason;
    if (reason !== "stopped") {
      const busy = s.inFlight.size > 0;
      s.o.logger(
        busy ? "error" : "info",
        busy ? "function_worker_limit" : "function_isolate_stopped",
        {
          function: s.o.name,
          reason: LIMIT_MESSAGES[reason],
        },
      );
    }
    try {
      s.child.kill("SIGKILL");
    } catch { /* already gone */ }
  };
}

/** Resolves when the process has ended: why (a limit, a crash, a stop) and how. */
async function ending(s: State): Promise<Ending> {
  const status = await s.child.status;
  await s.output.done;
  const reason = s.killedFor ?? (MEMORY.test(s.output.tail()) ? "memory" : "crash");
  if (s.killedFor === null && reason === "memory") {
    s.o.logger("error", "function_worker_limit", {
      function: s.o.name,
      reason: LIMIT_MESSAGES.memory,
    });
  }
  s.o.onExit?.();
  return { reason, detail: `exit ${status.code}${status.signal ? ` ${status.signal}` : ""}` };
}

/** Null once the function listens; else the boot error (logged, the process killed). */
async function booted(s: State, ended: Promise<Ending>, kill: (r: "stopped") => void) {
  try {
    await waitListening(s.port, ended, s.o.limits.bootTimeoutMs);
    return null;
  } catch (err) {
    const error = s.output.tail() || (err as Error).message;
    s.o.logger("error", "function_boot_failed", { function: s.o.name, error: error.slice(-2000) });
    kill("stopped");
    return new Error(error);
  }
}

/** Polls the process's CPU time while requests run; over the limit for one of them: kill. */
function watchCpu(s: State, kill: (r: "cpu_time") => void, ended: Promise<Ending>): void {
  const timer = setInterval(async () => {
    if (s.inFlight.size === 0) return;
    const now = await cpuTimeMs(s.child.pid);
    if (now === null) return;
    for (const r of s.inFlight) {
      if (r.cpuStart !== null && now - r.cpuStart > s.o.limits.cpuTimeMs) kill("cpu_time");
    }
  }, 50);
  ended.then(() => clearInterval(timer));
}

/** Answers one request through the isolate and logs `function_request`. */
async function forward(s: State, ended: Promise<Ending>, req: Request, rest: string) {
  const { name, limits, logger } = s.o;
  const entry = { cpuStart: await cpuTimeMs(s.child.pid) };
  s.inFlight.add(entry);
  const started = performance.now();
  const abort = new AbortController();
  const inner = forwardedRequest(req, `http://127.0.0.1:${s.port}/${name}${rest}`, abort.signal);
  const { res, outcome } = await exchange(inner, {
    idleMs: limits.requestIdleTimeoutMs,
    abort,
    ended,
  }).finally(() => s.inFlight.delete(entry));
  const cpuEnd = entry.cpuStart === null ? null : await cpuTimeMs(s.child.pid);
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
  const { child, port } = spawnIsolate({ ...o, memoryMb: o.limits.memoryMb });
  const output = forwardOutput(child, o.name, o.logger);
  const s: State = { o, child, port, output, inFlight: new Set(), killedFor: null };
  const kill = killer(s);
  const wall = setTimeout(() => kill("wall_clock"), o.limits.wallClockMs);
  const ended = ending(s).finally(() => clearTimeout(wall));
  watchCpu(s, kill, ended);
  return {
    ready: booted(s, ended, kill),
    handle: (req, rest) => forward(s, ended, req, rest),
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
