/**
 * Loaded with `deno run --preload` before a function's `index.ts`, which runs
 * as the main module (so its `if (import.meta.main) Deno.serve(...)` serves),
 * the way Supabase's edge runtime starts a function. It is never imported.
 *
 * - `Deno.serve` binds 127.0.0.1 on the port the gateway chose
 *   (`EDGE_RUNTIME_PORT`, removed from the environment here), whatever
 *   hostname or port the function asks for: no stray listener on 0.0.0.0:8000.
 *   A second `Deno.serve` throws, as an edge function serves once.
 * - `EdgeRuntime.waitUntil(promise)` keeps background work going after the
 *   response; SIGTERM (a reload) stops accepting requests, lets in-flight ones
 *   and background work finish, then exits. The gateway's wall-clock limit
 *   kills the process if that takes too long.
 *
 * Platform source: supabase/edge-runtime `ext/runtime/js/bootstrap.js`
 * (`globalThis.EdgeRuntime.waitUntil`, `Deno.serve` bound by the runtime).
 *
 * @module
 */
import type { PlatformErrorCode } from "../../functions/_shared/error-catalogue.ts";

const PORT_VARIABLE = "EDGE_RUNTIME_PORT";
const port = Number(Deno.env.get(PORT_VARIABLE));
Deno.env.delete(PORT_VARIABLE);

const background = new Set<Promise<unknown>>();

function logLine(level: string, event: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ level, event, timestamp: new Date().toISOString(), ...fields }));
}

const edgeRuntime = Object.freeze({
  /** Keeps `promise` running after the response, up to the wall-clock limit. */
  waitUntil<T>(promise: Promise<T>): Promise<T> {
    const tracked = Promise.resolve(promise).then(
      () => {},
      (err) =>
        logLine("error", "wait_until_rejected", {
          error: String(err instanceof Error ? err.message : err).slice(0, 500),
        }),
    ).finally(() => background.delete(tracked));
    background.add(tracked);
    return promise;
  },
});
Object.defineProperty(globalThis, "EdgeRuntime", { value: edgeRuntime, enumerable: false });

/** A handler that threw: the platform's 500 WORKER_ERROR; the error goes to the log. */
function workerError(err: unknown): Response {
  logLine("error", "function_crashed", {
    error: String(err instanceof Error ? `${err.name}: ${err.message}` : err).slice(0, 500),
  });
  return Response.json(
    {
      code: "WORKER_ERROR" satisfies PlatformErrorCode,
      message: "Function exited due to an error (please check logs)",
    },
    { status: 500 },
  );
}

type ServeArgs =
  | [Deno.ServeHandler]
  | [Deno.ServeOptions, Deno.ServeHandler]
  | [Deno.ServeOptions & { handler: Deno.ServeHandler }];

const serve = Deno.serve.bind(Deno) as (
  o: Deno.ServeTcpOptions,
  h: Deno.ServeHandler,
) => Deno.HttpServer;
let server: Deno.HttpServer | null = null;

function bound(...args: ServeArgs): Deno.HttpServer {
  if (server !== null) throw new Error("Deno.serve was called twice: an edge function serves once");
  const [first, second] = args;
  const handler = typeof first === "function"
    ? first
    : second ?? (first as { handler: Deno.ServeHandler }).handler;
  const asked = typeof first === "function" ? {} : first as Deno.ServeTcpOptions;
  server = serve({
    onError: asked.onError ?? workerError,
    signal: asked.signal,
    hostname: "127.0.0.1",
    port,
    onListen() {},
  }, handler);
  return server;
}
Object.defineProperty(Deno, "serve", { value: bound, writable: true, configurable: true });

// After the main module (and its top-level await) ran: a module that did not
// serve is a boot error, as on the platform, instead of an isolate that hangs.
// A module that threw is reported by Deno itself (the `error` or
// `unhandledrejection` event, then its own message and exit 1), which can
// come after `load`: hence the flag and the delay.
let threw = false;
globalThis.addEventListener("error", () => (threw = true));
globalThis.addEventListener("unhandledrejection", () => (threw = true));
globalThis.addEventListener("load", () =>
  setTimeout(() => {
    if (server !== null || threw) return;
    console.error("BootError: index.ts did not call Deno.serve (an edge function must serve)");
    Deno.exit(1);
  }, 250));

Deno.addSignalListener("SIGTERM", async () => {
  await server?.shutdown();
  await Promise.allSettled([...background]);
  Deno.exit(0);
});
