/**
 * Client for Odoo's external API, versions 17 to 20, with one stored
 * credential: it asks the server its version once (cached per credential) and
 * speaks JSON-2 (`POST /json/2/<model>/<method>`, bearer API key) where it
 * exists and `/jsonrpc` (`common.authenticate`, `object.execute_kw`) where it
 * does not, switching when the one in use vanishes.
 *
 * Each attempt has its own timeout; timeouts, network errors, HTTP 5xx and 429
 * are retried with exponential backoff and jitter. Refused credentials, other
 * 4xx and Odoo application errors are never retried. Every failure is an
 * {@linkcode OdooError} with a stable `code`, the same for both APIs. The API
 * key never appears in an error or a log.
 *
 * @module
 */
import { log as defaultLogger, type Logger } from "./log.ts";
import { DEFAULT_ODOO_MAX_BYTES, type OutboundPolicy, outboundPolicy } from "./outbound.ts";
import { OdooError } from "./_odoo-client/errors.ts";
import type { RpcSettings } from "./_odoo-client/rpc.ts";
import { type ApiCache, type OdooApi, sharedApiCache } from "./_odoo-client/detect.ts";
import { createTransport } from "./_odoo-client/transport.ts";

export {
  OdooAnswerTooLargeError,
  OdooApiUnavailableError,
  OdooAuthError,
  OdooDestinationError,
  OdooError,
  type OdooErrorCode,
  OdooHttpError,
  OdooNetworkError,
  OdooRpcError,
  OdooTimeoutError,
} from "./_odoo-client/errors.ts";
export type { ApiCache, ApiInfo, OdooApi } from "./_odoo-client/detect.ts";
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
  /** API key of that user (JSON-2 bearer token, or `/jsonrpc` password). Secret: never logged. */
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
  /** Which API: `auto` (detect via `/web/webclient/version_info`, cached), `json2` or `jsonrpc`. Default `auto`. */
  api?: OdooApi | "auto";
  /** Detection cache. Default: one shared by every client of the process. */
  apiCache?: ApiCache;
  /** Clock of the detection cache, epoch ms. Default `Date.now`. */
  now?: () => number;
  /**
   * Where requests may go, checked before every attempt (docs/operations.md, "Outbound
   * calls"). Default: production, `outboundPolicy()` (https, public addresses only);
   * functions pass the one OUTBOUND_ALLOW_PRIVATE configures.
   */
  policy?: OutboundPolicy;
  /** Largest answer of one call, in bytes. Default 16 MiB (OUTBOUND_ODOO_MAX_BYTES in functions). */
  maxAnswerBytes?: number;
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
  /** Odoo context, e.g. `{ active_test: false }` to include archived records. */
  context?: Record<string, unknown>;
}

/** Options of {@linkcode OdooClient.searchIds}. */
export type SearchIdsOptions = Omit<SearchReadOptions, "fields">;

/** A connected Odoo client. */
export interface OdooClient {
  /** Checks the credential; returns the integration user's uid. */
  authenticate(): Promise<number>;
  /** `search_read` on `model`; authenticates first if no uid is cached. */
  searchRead(
    model: string,
    domain: unknown[],
    opts: SearchReadOptions,
  ): Promise<Record<string, unknown>[]>;
  /** `search` on `model`: ids only. */
  searchIds(model: string, domain: unknown[], opts: SearchIdsOptions): Promise<number[]>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const kwargsOf = (domain: unknown[], o: SearchIdsOptions & { fields?: string[] }) => {
  const kwargs: Record<string, unknown> = { domain };
  for (const k of ["fields", "limit", "offset", "order", "context"] as const) {
    if (o[k] !== undefined) kwargs[k] = o[k];
  }
  return kwargs;
};

/**
 * Creates an Odoo client. Nothing is sent until the first call.
 *
 * @param conn base URL, database, login and API key.
 * @param options timeouts, retries, API choice and test seams; see {@linkcode OdooClientOptions}.
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
  const transport = createTransport(settings, {
    db: conn.db,
    login: conn.login,
    apiKey: conn.apiKey,
    api: options.api ?? "auto",
    cache: options.apiCache ?? sharedApiCache,
    now: options.now ?? Date.now,
  });
  return {
    authenticate: () => transport.authenticate(),
    async searchRead(model, domain, opts) {
      const result = await transport.execute(model, "search_read", kwargsOf(domain, opts));
      if (!Array.isArray(result)) {
        throw new OdooError(`Odoo ${model}.search_read: the answer is not a list`);
      }
      return result;
    },
    async searchIds(model, domain, opts) {
      const result = await transport.execute(model, "search", kwargsOf(domain, opts));
      if (!Array.isArray(result) || !result.every(Number.isInteger)) {
        throw new OdooError(`Odoo ${model}.search: the answer is not a list of ids`);
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
    base: conn.baseUrl.replace(/\/+$/, ""),
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    timeoutMs: options.timeoutMs ?? 15_000,
    retries: Math.max(0, Math.floor(options.retries ?? 2)),
    backoffMs: options.backoffMs ?? 500,
    sleep: options.sleep ?? defaultSleep,
    logger: options.logger ?? defaultLogger,
    secret: conn.apiKey,
    policy: options.policy ?? outboundPolicy(),
    maxBytes: options.maxAnswerBytes ?? DEFAULT_ODOO_MAX_BYTES,
  };
}
