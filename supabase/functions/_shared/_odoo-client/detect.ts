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

/**
 * Asks the server its version and picks the API: JSON-2 from 19 on, `/jsonrpc`
 * before. A failure (a 404 means no Odoo at that URL) is thrown as it is.
 */
export async function detectApi(s: RpcSettings, id: number): Promise<Omit<ApiInfo, "checkedAt">> {
  const info = { service: "web", method: "version_info" };
  const v = await callJsonRpc(s, { path: "/web/webclient/version_info", params: {}, info }, id);
  const major = majorVersion(v);
  return { api: major >= 19 ? "json2" : "jsonrpc", major };
}
