/**
 * The cold-start log line of a function instance. Internal to startup.ts.
 */
import { log, type Logger } from "../log.ts";

// Milliseconds from the instance's time origin until this module was evaluated:
// how long the isolate took to boot and load the function's code.
const BOOT_MS = Math.round(performance.now());

/**
 * Wraps a handler so the first request of this instance logs
 * `function_cold_start` with `boot_ms` (instance start until the code was
 * loaded) and `idle_ms` (code loaded until that request). Later requests log
 * nothing extra. A first sync that times out after an idle period can then be
 * told apart from a slow Odoo (issue 14; docs/fanout.md, "Watching").
 *
 * @param functionName added to the log line.
 * @param handler the function's handler.
 * @param o `logger` (default: the console logger), `bootMs` / `clock` (tests; defaults: module
 *   evaluation time, `performance.now`).
 * @returns the same handler, logging once.
 * @example
 * return withColdStartLog("bot-scheduler", withAuth(handle, auth), { logger });
 */
export function withColdStartLog(
  functionName: string,
  handler: (req: Request) => Promise<Response>,
  o: { logger?: Logger; bootMs?: number; clock?: () => number } = {},
): (req: Request) => Promise<Response> {
  const clock = o.clock ?? (() => performance.now());
  const bootMs = o.bootMs ?? BOOT_MS;
  let first = true;
  return (req) => {
    if (first) {
      first = false;
      const idle_ms = Math.max(0, Math.round(clock() - bootMs));
      (o.logger ?? log)("info", "function_cold_start", {
        function_name: functionName,
        first_request: true,
        boot_ms: bootMs,
        idle_ms,
      });
    }
    return handler(req);
  };
}
