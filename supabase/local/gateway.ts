/**
 * The local functions gateway: serves every `supabase/functions/<name>/index.ts`
 * at `/functions/v1/<name>` the way Supabase's local gateway (Kong in front of
 * the edge runtime) does, plus `/auth/v1/.well-known/jwks.json`. Local use only.
 *
 * - `/functions/v1/<name>/rest?query` reaches the function as `/<name>/rest?query`
 *   (the gateway strips `/functions/v1`, as on the platform), method, headers and
 *   body unchanged.
 * - Each function runs its own `index.ts` unchanged: the gateway imports it and
 *   calls its exported `createHandler({ env })` once, with the stack's environment.
 * - Function folders are discovered on every miss (every folder except `_shared`
 *   and names starting with `_` or `.`), so functions added while the stack runs
 *   are served without a restart.
 * - Unknown function: 404 `{"code":"NOT_FOUND",...}`; a function that fails to
 *   load: 503 `{"code":"BOOT_ERROR",...}`; a handler that throws: 500
 *   `{"code":"WORKER_ERROR",...}`; header fields over `maxHeaderBytes`: 431
 *   `{"code":"REQUEST_HEADER_FIELDS_TOO_LARGE",...}`. Details go to the server
 *   log only. A TCP front measures each connection's first request head, so
 *   even a head over Deno.serve's own 64 KiB limit (an empty 400 there) gets
 *   the 431; see `_gateway/head_guard.ts`.
 *
 * @module
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import { log as defaultLog, type Logger } from "../functions/_shared/log.ts";
import {
  DEFAULT_MAX_HEADER_BYTES,
  headerBytes,
  TOO_LARGE,
  tooLarge,
} from "./_gateway/header_limit.ts";
import { startHeadGuard } from "./_gateway/head_guard.ts";

/** Anything with `get(name)`, such as `Deno.env` or a `Map`. */
export interface EnvReader {
  get(name: string): string | undefined;
}

/** A request handler as a function's `createHandler` returns it. */
export type FunctionHandler = (req: Request) => Response | Promise<Response>;

/** Options for {@linkcode serveFunctions}. */
export interface GatewayOptions {
  /** Environment passed to every `createHandler` as `deps.env`. */
  env: EnvReader;
  /** TCP port on 127.0.0.1. Default 54321; 0 picks a free port. */
  port?: number;
  /** Folder holding `<name>/index.ts`. Default: this repo's `supabase/functions/`. */
  functionsDir?: string;
  /** Served at `/auth/v1/.well-known/jwks.json`. Default `{"keys":[]}`. */
  jwks?: unknown;
  /**
   * Extra deps for a function's `createHandler`, called once when it boots (for
   * example its own database pool, so the caller can close it). Default: none.
   */
  deps?: (name: string) => Record<string, unknown>;
  /** Request and boot logs. Default: the console logger. */
  logger?: Logger;
  /** Larger request heads / header fields (bytes) get 431. Default 32 KiB; keep it under Deno.serve's 64 KiB. */
  maxHeaderBytes?: number;
  /**
   * Other services by path prefix (for example `/auth/v1/` for the Auth
   * stand-in, `/admin/` for the admin page), tried before the functions.
   * Default: none.
   */
  mounts?: readonly Mount[];
}

/** A service the gateway routes a path prefix to. */
export interface Mount {
  /** Path prefix, e.g. `/auth/v1/`. */
  prefix: string;
  /** Answers every request whose path starts with `prefix`. */
  handle: FunctionHandler;
}

/** A running gateway. */
export interface Gateway {
  /** `http://127.0.0.1:<port>` (the project URL). */
  url: string;
  /** `${url}/functions/v1`. */
  functionsUrl: string;
  /** Names of the function folders present now. */
  functions(): Promise<string[]>;
  /** Stops serving and waits for in-flight requests. Idempotent. */
  close(): Promise<void>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const ROUTE = /^\/functions\/v1\/([^/]+)(\/.*)?$/;
/** Where Supabase Auth publishes its signing keys, relative to the project URL. */
export const JWKS_PATH = "/auth/v1/.well-known/jwks.json";
const DEFAULT_DIR = fileURLToPath(new URL("../functions/", import.meta.url));

const errorBody = (status: number, code: string, message: string) =>
  Response.json({ code, message }, { status });

/**
 * Names of the function folders (`<dir>/<name>/index.ts`, except `_shared` and
 * names starting with `_` or `.`), sorted.
 *
 * @param dir the functions folder. Default: this repo's `supabase/functions/`.
 * @example
 * await discoverFunctions(); // ["bot-executor", "bot-scheduler", ...]
 */
export async function discoverFunctions(dir: string = DEFAULT_DIR): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isDirectory || !NAME.test(entry.name)) continue;
    if (await isFile(`${dir}/${entry.name}/index.ts`)) names.push(entry.name);
  }
  return names.sort();
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function loadHandler(file: string, deps: Record<string, unknown>): Promise<FunctionHandler> {
  const mod = await import(pathToFileURL(file).href);
  if (typeof mod.createHandler !== "function") {
    throw new TypeError("index.ts does not export createHandler(deps)");
  }
  const handler = await mod.createHandler(deps);
  if (typeof handler !== "function") throw new TypeError("createHandler did not return a handler");
  return handler as FunctionHandler;
}

/** Boots function handlers on first use and keeps them. */
function functionRegistry(options: GatewayOptions, dir: string, logger: Logger) {
  const handlers = new Map<string, Promise<FunctionHandler>>();
  return async (name: string): Promise<FunctionHandler | null | Error> => {
    let pending = handlers.get(name);
    if (!pending) {
      const file = `${dir}/${name}/index.ts`;
      if (!(await isFile(file))) return null;
      pending = loadHandler(file, { ...options.deps?.(name), env: options.env });
      handlers.set(name, pending);
    }
    try {
      return await pending;
    } catch (err) {
      // Retried on the next request (the file may be mid-edit).
      handlers.delete(name);
      logger("error", "function_boot_failed", { function: name, error: describe(err) });
      return err instanceof Error ? err : new Error(String(err));
    }
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

async function invoke(
  name: string,
  handler: FunctionHandler,
  req: Request,
  logger: Logger,
): Promise<Response> {
  const url = new URL(req.url);
  const rest = ROUTE.exec(url.pathname)?.[2] ?? "";
  // Not `new Request(url, req)`: copying req.signal would switch on Deno.serve's
  // legacy-abort warning, and no function reads the signal.
  const inner = new Request(`${url.origin}/${name}${rest}${url.search}`, {
    method: req.method,
    headers: req.headers,
    body: req.body,
  });
  const started = performance.now();
  let status = 500;
  try {
    const res = await handler(inner);
    status = res.status;
    return res;
  } catch (err) {
    logger("error", "function_crashed", { function: name, error: describe(err) });
    return errorBody(500, "WORKER_ERROR", "Function exited due to an error (please check logs)");
  } finally {
    logger("info", "function_request", {
      function: name,
      method: req.method,
      status,
      duration_ms: Math.round(performance.now() - started),
    });
  }
}

/**
 * Starts the gateway on 127.0.0.1 and boots every function found (a boot
 * failure is logged, not thrown; the function answers 503 until it loads).
 *
 * @param options environment, port, functions folder, JWKS and logger.
 * @returns the running {@linkcode Gateway}.
 * @example
 * const gw = await serveFunctions({ env: new Map([["SUPABASE_URL", "http://127.0.0.1:54321"]]) });
 * try { await fetch(`${gw.functionsUrl}/odoo-crm-sync`, { method: "POST" }); } finally { await gw.close(); }
 */
export async function serveFunctions(options: GatewayOptions): Promise<Gateway> {
  const dir = (options.functionsDir ?? DEFAULT_DIR).replace(/\/+$/, "");
  const logger = options.logger ?? defaultLog;
  const jwks = JSON.stringify(options.jwks ?? { keys: [] });
  const lookup = functionRegistry(options, dir, logger);
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  for (const name of await discoverFunctions(dir)) await lookup(name);

  const stop = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: stop.signal, onListen() {} },
    async (req) => {
      if (headerBytes(req.headers) > maxHeaderBytes) {
        logger("warn", "request_header_too_large", { bytes: headerBytes(req.headers) });
        return tooLarge();
      }
      const path = new URL(req.url).pathname;
      const mount = options.mounts?.find((m) => path.startsWith(m.prefix));
      if (mount !== undefined) return mount.handle(req);
      if (path === JWKS_PATH) {
        return new Response(jwks, { headers: { "Content-Type": "application/json" } });
      }
      const name = ROUTE.exec(path)?.[1];
      if (name === undefined) {
        return Response.json({ message: "no Route matched with those values" }, { status: 404 });
      }
      const handler = NAME.test(name) ? await lookup(name) : null;
      if (handler === null) return errorBody(404, "NOT_FOUND", "Requested function was not found");
      if (handler instanceof Error) {
        return errorBody(503, "BOOT_ERROR", "Function failed to start (please check logs)");
      }
      return invoke(name, handler, req, logger);
    },
  );
  const front = startHeadGuard({
    port: options.port ?? 54321,
    upstreamPort: server.addr.port,
    maxHeadBytes: maxHeaderBytes,
    tooLarge: TOO_LARGE,
    onTooLarge: () => logger("warn", "request_header_too_large", { over_bytes: maxHeaderBytes }),
  });
  const url = `http://127.0.0.1:${front.port}`;
  let closed: Promise<void> | undefined;
  return {
    url,
    functionsUrl: `${url}/functions/v1`,
    functions: () => discoverFunctions(dir),
    close() {
      closed ??= front.close().then(() => (stop.abort(), server.finished));
      return closed;
    },
  };
}
