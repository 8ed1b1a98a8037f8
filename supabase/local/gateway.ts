/**
 * The local functions gateway: serves every `supabase/functions/<name>/index.ts`
 * at `/functions/v1/<name>` the way Supabase's gateway (Kong in front of the
 * edge runtime) does, plus `/auth/v1/.well-known/jwks.json`. Local use only.
 *
 * - Each function runs in its own isolate (`runtime.ts`): a `deno run` process
 *   started from its `index.ts` as the platform starts it, whose own
 *   `Deno.serve` answers, with the injected environment, edge-function
 *   permissions and the hosted limits (504 after the request idle timeout,
 *   546 WORKER_LIMIT for memory, CPU time and wall clock).
 * - `/functions/v1/<name>/rest?query` reaches the function as `/<name>/rest?query`
 *   (the gateway strips `/functions/v1`, as on the platform), method, headers and
 *   body unchanged.
 * - Saving a file of a function (or of `_shared`, or the secrets file) starts a
 *   new isolate for it at once; the old one finishes what it is doing. Function
 *   folders are discovered on every miss (every folder except `_shared` and
 *   names starting with `_` or `.`).
 * - Unknown function: 404 `{"code":"NOT_FOUND",...}`; a function that fails to
 *   boot: 503 `{"code":"BOOT_ERROR",...}` until its next save (the error is in
 *   the log as `function_boot_failed`); an isolate that ends while answering:
 *   500 `{"code":"WORKER_ERROR",...}`; header fields over `maxHeaderBytes`: 431
 *   `{"code":"REQUEST_HEADER_FIELDS_TOO_LARGE",...}`. A TCP front measures each
 *   connection's first request head, so even a head over Deno.serve's own
 *   64 KiB limit (an empty 400 there) gets the 431; see `_gateway/head_guard.ts`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { log as defaultLog, type Logger } from "../functions/_shared/log.ts";
import {
  DEFAULT_MAX_HEADER_BYTES,
  headerBytes,
  TOO_LARGE,
  tooLarge,
} from "./_gateway/header_limit.ts";
import { startHeadGuard } from "./_gateway/head_guard.ts";
import { type IsolateRegistry, isolateRegistry, watchFunctions } from "./_gateway/functions.ts";
import { bootError, HOSTED_LIMITS, notFound, type RuntimeLimits } from "./runtime.ts";

/** A request handler (a mount's). */
export type FunctionHandler = (req: Request) => Response | Promise<Response>;

/** Options for {@linkcode serveFunctions}. */
export interface GatewayOptions {
  /**
   * The environment every isolate gets, as the platform injects it
   * (SUPABASE_URL, SUPABASE_ANON_KEY, SUPABASE_SERVICE_ROLE_KEY, SUPABASE_DB_URL,
   * SUPABASE_PUBLISHABLE_KEYS, SUPABASE_SECRET_KEYS, SUPABASE_JWKS), plus the
   * stack's own secrets. Nothing else of the gateway's environment reaches a function.
   */
  env: Record<string, string>;
  /**
   * Dotenv file with the project's secrets (as `supabase functions serve`
   * reads `supabase/functions/.env`); read at each isolate start, its values
   * never replace `env`'s. Default `<functionsDir>/.env` when it exists at that
   * start; null: none.
   */
  envFile?: string | null;
  /** TCP port on 127.0.0.1. Default 54321; 0 picks a free port. */
  port?: number;
  /** Folder holding `<name>/index.ts`. Default: this repo's `supabase/functions/`. */
  functionsDir?: string;
  /** Served at `/auth/v1/.well-known/jwks.json`. Default `{"keys":[]}`. */
  jwks?: unknown;
  /** The hosted limits, each replaceable (tests use small ones). Default {@linkcode HOSTED_LIMITS}. */
  limits?: Partial<RuntimeLimits>;
  /** Request, boot and limit logs, and the functions' own log lines. Default: the console logger. */
  logger?: Logger;
  /** Larger request heads / header fields (bytes) get 431. Default 32 KiB; keep it under Deno.serve's 64 KiB. */
  maxHeaderBytes?: number;
  /**
   * Other services by path prefix (for example `/auth/v1/` for Auth,
   * `/admin/` for the admin page), tried before the functions. Default: none.
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

/** Answers `/functions/v1/<name>...` through the function's isolate. */
async function routeFunction(registry: IsolateRegistry, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const match = ROUTE.exec(url.pathname);
  if (match === null) {
    return Response.json({ message: "no Route matched with those values" }, { status: 404 });
  }
  const [, name, rest = ""] = match;
  const isolate = NAME.test(name) ? await registry.get(name) : null;
  if (isolate === null) return notFound();
  if (isolate instanceof Error) return bootError();
  return isolate.handle(req, `${rest}${url.search}`);
}

/**
 * Starts the gateway on 127.0.0.1 and boots an isolate for every function
 * found (a boot failure is logged, not thrown; the function answers 503 until
 * its next save), then watches the functions folder for saves.
 *
 * @param options environment, secrets file, port, functions folder, limits, JWKS and logger.
 * @returns the running {@linkcode Gateway}.
 * @example
 * const gw = await serveFunctions({ env: { SUPABASE_URL: "http://127.0.0.1:54321" } });
 * try { await fetch(`${gw.functionsUrl}/odoo-crm-sync`, { method: "POST" }); } finally { await gw.close(); }
 */
export async function serveFunctions(options: GatewayOptions): Promise<Gateway> {
  const dir = (options.functionsDir ?? DEFAULT_DIR).replace(/\/+$/, "");
  const logger = options.logger ?? defaultLog;
  const jwks = JSON.stringify(options.jwks ?? { keys: [] });
  const registry = isolateRegistry({
    dir,
    env: options.env,
    envFile: options.envFile,
    limits: { ...HOSTED_LIMITS, ...options.limits },
    logger,
  });
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  // Boot every function now, in parallel (a boot error is logged, not thrown).
  await Promise.all((await discoverFunctions(dir)).map((name) => registry.get(name)));
  const watcher = watchFunctions(dir, registry);

  const stop = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: stop.signal, onListen() {} },
    (req) => {
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
      return routeFunction(registry, req);
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
      closed ??= front.close()
        .then(() => watcher.close())
        .then(() => registry.stopAll())
        .then(() => (stop.abort(), server.finished));
      return closed;
    },
  };
}
