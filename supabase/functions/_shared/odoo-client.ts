/**
 * Client for Odoo's external JSON-RPC API (`POST {baseUrl}/jsonrpc`):
 * `common.authenticate` and `object.execute_kw(..., "search_read", ...)`.
 *
 * Each attempt has its own timeout; timeouts, network errors, HTTP 5xx and 429
 * are retried with exponential backoff and jitter. Refused credentials
 * (`false`, `odoo.exceptions.AccessDenied`), other 4xx and Odoo application
 * errors are never retried. The API key never appears in an error or a log.
 */
import { log as defaultLogger, type Logger } from "./log.ts";
import { OdooAuthError, OdooError } from "./_odoo-client/errors.ts";
import { callOdoo, type RpcSettings } from "./_odoo-client/rpc.ts";

export {
  OdooAuthError,
  OdooError,
  OdooHttpError,
  OdooNetworkError,
  OdooRpcError,
  OdooTimeoutError,
} from "./_odoo-client/errors.ts";
export {
  formatOdooDatetime,
  many2one,
  odooValue,
  parseOdooDatetime,
} from "./_odoo-client/values.ts";

/** Where and as whom to connect. No environment variable: callers load it from their own store. */
export interface OdooConnection {
  /** Instance root, e.g. `https://acme.odoo.com` (no `/jsonrpc`). */
  baseUrl: string;
  /** Database name. */
  db: string;
  /** Login of the integration user. */
  login: string;
  /** API key of that user (used as the password). Secret: never logged. */
  apiKey: string;
}

/** Tuning and test seams. None is read from the environment. */
export interface OdooClientOptions {
  /** HTTP client. Default: global `fetch`. */
  fetch?: typeof fetch;
  /** Timeout of each attempt, in ms (connect + full answer). Default: 15000. */
  timeoutMs?: number;
  /** Retries after the first attempt for retryable failures. Default: 2 (3 attempts). */
  retries?: number;
  /** Backoff base in ms; retry n waits between half and all of `backoffMs * 2^(n-1)` (max 30 s). Default: 500. */
  backoffMs?: number;
  /** Waits between attempts. Default: `setTimeout`-based. Tests pass a recorder. */
  sleep?: (ms: number) => Promise<void>;
  /** Structured logger. Default: the console logger of `log.ts`. */
  logger?: Logger;
}

/** Options of {@linkcode OdooClient.searchRead}, sent as `execute_kw` keyword arguments. */
export interface SearchReadOptions {
  /** Fields to read; `id` is always returned. */
  fields: string[];
  /** Maximum number of records. Odoo treats 0 as "no limit". */
  limit?: number;
  /** Number of records to skip. */
  offset?: number;
  /** Odoo order spec, e.g. `"write_date asc, id asc"`. */
  order?: string;
}

/** A connected Odoo client. */
export interface OdooClient {
  /** Calls `common.authenticate`; returns the uid and caches it for `searchRead`. */
  authenticate(): Promise<number>;
  /** `search_read` on `model`; authenticates first if no uid is cached. */
  searchRead(
    model: string,
    domain: unknown[],
    opts: SearchReadOptions,
  ): Promise<Record<string, unknown>[]>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates an Odoo JSON-RPC client. Nothing is sent until the first call.
 *
 * @param conn base URL, database, login and API key.
 * @param options timeouts, retries and test seams; see {@linkcode OdooClientOptions}.
 * @returns an {@linkcode OdooClient}.
 * @throws {TypeError} when `conn` is incomplete or `baseUrl` is not an http(s) URL.
 * @example
 * const odoo = createOdooClient({
 *   baseUrl: "https://acme.odoo.com", db: "acme", login: "sync@acme.com", apiKey,
 * });
 * const leads = await odoo.searchRead("crm.lead", [["write_date", ">", "2024-03-01 00:00:00"]], {
 *   fields: ["name", "stage_id", "write_date"], order: "write_date asc, id asc", limit: 200,
 * });
 */
export function createOdooClient(
  conn: OdooConnection,
  options: OdooClientOptions = {},
): OdooClient {
  const settings = buildSettings(conn, options);
  const { db, login, apiKey } = conn;
  let nextId = 1;
  let uid: Promise<number> | null = null;

  async function authenticate(): Promise<number> {
    const call = { service: "common", method: "authenticate", rpcMethod: "authenticate" };
    const result = await callOdoo(settings, { ...call, args: [db, login, apiKey, {}] }, nextId++);
    if (result === false) {
      settings.logger("warn", "odoo_auth_refused", { db });
      throw new OdooAuthError("Odoo common.authenticate refused the login or API key");
    }
    if (typeof result !== "number" || !Number.isInteger(result) || result <= 0) {
      throw new OdooError("Odoo common.authenticate: the answer is not a uid");
    }
    return result;
  }

  function cachedUid(): Promise<number> {
    uid ??= authenticate().catch((err) => {
      uid = null;
      throw err;
    });
    return uid;
  }

  return {
    authenticate() {
      uid = null;
      return cachedUid();
    },
    async searchRead(model, domain, opts) {
      const kwargs: Record<string, unknown> = { fields: opts.fields };
      if (opts.limit !== undefined) kwargs.limit = opts.limit;
      if (opts.offset !== undefined) kwargs.offset = opts.offset;
      if (opts.order !== undefined) kwargs.order = opts.order;
      const userId = await cachedUid();
      const args = [db, userId, apiKey, model, "search_read", [domain], kwargs];
      const call = { service: "object", method: "search_read", rpcMethod: "execute_kw", model };
      let result: unknown;
      try {
        result = await callOdoo(settings, { ...call, args }, nextId++);
      } catch (err) {
        if (err instanceof OdooAuthError) uid = null;
        throw err;
      }
      if (!Array.isArray(result)) {
        throw new OdooError(`Odoo object.search_read(${model}): the answer is not a list`);
      }
      return result;
    },
  };
}

function buildSettings(conn: OdooConnection, options: OdooClientOptions): RpcSettings {
  for (const key of ["baseUrl", "db", "login", "apiKey"] as const) {
    if (typeof conn?.[key] !== "string" || conn[key] === "") {
      throw new TypeError(`createOdooClient: conn.${key} is required`);
    }
  }
  let base: URL;
  try {
    base = new URL(conn.baseUrl);
  } catch {
    throw new TypeError("createOdooClient: conn.baseUrl is not a URL");
  }
  if (base.protocol !== "https:" && base.protocol !== "http:") {
    throw new TypeError("createOdooClient: conn.baseUrl must be http(s)");
  }
  return {
    url: `${conn.baseUrl.replace(/\/+$/, "")}/jsonrpc`,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    timeoutMs: options.timeoutMs ?? 15_000,
    retries: Math.max(0, Math.floor(options.retries ?? 2)),
    backoffMs: options.backoffMs ?? 500,
    sleep: options.sleep ?? defaultSleep,
    logger: options.logger ?? defaultLogger,
    secret: conn.apiKey,
  };
}
