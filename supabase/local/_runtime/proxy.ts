/**
 * One request through an isolate: forwarded over loopback to the function's
 * own `Deno.serve`, raced against the request idle timeout and the isolate's
 * end. Imported only by `runtime.ts`.
 *
 * @module
 */
import { gatewayTimeout, type LimitReason, workerError, workerLimit } from "./limits.ts";

// Connection-level fields (RFC 9110, section 7.6.1) are not forwarded.
const HOP_BY_HOP = ["connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer"];

/** How the isolate ended, once it did. */
export type Ending = { reason: LimitReason | "crash" | "stopped"; detail: string };

/** The request as the isolate's server receives it: `/<name><rest>?query`, headers and body. */
export function forwardedRequest(req: Request, target: string, signal: AbortSignal): Request {
  const headers = new Headers(req.headers);
  for (const name of HOP_BY_HOP) headers.delete(name);
  const hasBody = req.body !== null && req.method !== "GET" && req.method !== "HEAD";
  return new Request(target, {
    method: req.method,
    headers,
    body: hasBody ? req.body : undefined,
    redirect: "manual",
    signal,
  });
}

/**
 * Sends `inner` to the isolate. 504 after `idleMs` without a response; 546 when
 * the isolate was stopped for a limit, 500 when it ended otherwise.
 */
export async function exchange(
  inner: Request,
  o: { idleMs: number; abort: AbortController; ended: Promise<Ending> },
): Promise<{ res: Response; outcome: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  const idle = new Promise<"idle">((r) => (timer = setTimeout(() => r("idle"), o.idleMs)));
  try {
    const sent = fetch(inner).then((res) => ({ res }), (err) => ({ err }));
    const first = await Promise.race([sent, idle, o.ended]);
    if (first === "idle") {
      o.abort.abort();
      return { res: gatewayTimeout(), outcome: "request_idle_timeout" };
    }
    if ("res" in first) return { res: first.res, outcome: "ok" };
    // The isolate ended (or the connection broke because it is ending).
    const broken: Ending = { reason: "crash", detail: "the connection to the isolate broke" };
    const grace = new Promise<Ending>((r) => (graceTimer = setTimeout(() => r(broken), 2_000)));
    const ending = "reason" in first ? first : await Promise.race([o.ended, idle, grace]);
    o.abort.abort();
    if (ending === "idle") return { res: gatewayTimeout(), outcome: "request_idle_timeout" };
    if (ending.reason === "crash" || ending.reason === "stopped") {
      return { res: workerError(), outcome: ending.reason };
    }
    return { res: workerLimit(), outcome: ending.reason };
  } finally {
    clearTimeout(timer);
    clearTimeout(graceTimer);
  }
}
