/**
 * Which external API an Odoo speaks, asked once per credential and cached.
 * Internal: use `createOdooClient` from `odoo-client.ts`.
 *
 * `/web/webclient/version_info` (type json, auth none) answers
 * `common.exp_version()` on every version (`addons/web/controllers/webclient.py`),
 * so it works even where `/jsonrpc` is switched off. JSON-2 exists from Odoo 19
 * (`addons/rpc/controllers/json2.py`); 19 deprecates `/jsonrpc`, later versions
 * answer it with NotFound unless `rpc.use_deprecated_services` is set
 * (`addons/rpc/controllers/jsonrpc.py`).
 */
import { fetchWithTimeout } from "../outbound.ts";
import { OdooHttpError, OdooRpcError } from "./errors.ts";
import { callJsonRpc, type RpcSettings } from "./rpc.ts";

/** An external API of Odoo. */
export type OdooApi = "jsonrpc" | "json2";

/** What was learnt about one server. */
export interface ApiInfo {
  api: OdooApi;
  /** Major version, 0 when unknown. */
  major: number;
  /** Epoch ms of the check. */
  checkedAt: number;
}

/** Cache of {@linkcode ApiInfo} by credential key (base URL, database, login). */
export type ApiCache = Map<string, ApiInfo>;

/** The process-wide cache; survives between requests of one isolate. */
export const sharedApiCache: ApiCache = new Map();

/** How long a detection is trusted. An upgrade is also noticed when the API in use vanishes. */
export const API_CACHE_TTL_MS = 6 * 60 * 60 * 1000;

/**
 * The major version in a `version_info` answer (`server_version_info[0]`,
 * which is `"saas~18"`-like on Odoo Online), or 0.
 *
 * @example
 * majorVersion({ server_version_info: [19, 0, 0, "final", 0, ""] }); // 19
 */
export function majorVersion(v: unknown): number {
  const info = (v as { server_version_info?: unknown[] } | null)?.server_version_info;
  const first = Array.isArray(info) ? info[0] : undefined;
  if (typeof first === "number") return first;
  const m = typeof first === "string" ? /(\d+)/.exec(first) : null;
  return m ? Number(m[1]) : 0;
}

/** A route the server does not have: an HTTP 404, or Odoo's NotFound error envelope. */
const notFound = (err: unknown) =>
  (err instanceof OdooHttpError && err.status === 404) ||
  (err instanceof OdooRpcError && /NotFound/.test(err.odooName));

/**
 * `GET /web/version` (type http, auth none: `common.exp_version()` as plain
 * JSON, `addons/web/controllers/webclient.py`), for a server or proxy that
 * does not route the JSON-RPC `version_info`. Null when it is not usable.
 */
async function webVersion(s: RpcSettings): Promise<unknown> {
  const r = await fetchWithTimeout(`${s.base}/web/version`, {
    fetch: s.fetch,
    init: { method: "GET", headers: { Accept: "application/json" } },
    timeoutMs: s.timeoutMs,
    policy: s.policy,
    maxBytes: s.maxBytes,
  });
  if (!r.ok || r.status !== 200) return null;
  try {
    return JSON.parse(r.text);
  } catch {
    return null;
  }
}

/**
 * Asks the server its version and picks the API: JSON-2 from 19 on, `/jsonrpc`
 * before. When `/web/webclient/version_info` is not routed, `/web/version` is
 * asked; if neither answers, the first failure is thrown as it is (a 404 on
 * both means no Odoo at that URL).
 */
export async function detectApi(s: RpcSettings, id: number): Promise<Omit<ApiInfo, "checkedAt">> {
  const info = { service: "web", method: "version_info" };
  let v: unknown;
  try {
    v = await callJsonRpc(s, { path: "/web/webclient/version_info", params: {}, info }, id);
  } catch (err) {
    if (!notFound(err)) throw err;
    v = await webVersion(s);
    if (majorVersion(v) === 0) throw err;
  }
  const major = majorVersion(v);
  return { api: major >= 19 ? "json2" : "jsonrpc", major };
}
