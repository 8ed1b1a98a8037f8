/**
 * One Odoo ORM call over whichever API the server speaks: JSON-2 where it
 * exists, `/jsonrpc` (`object.execute_kw`) where it does not, with a switch to
 * the other API when the one in use has vanished (an upgrade) and a distinct
 * `odoo_api_unavailable` when neither answers. Internal: use `odoo-client.ts`.
 */
import { OdooApiUnavailableError, OdooAuthError, OdooError, OdooHttpError } from "./errors.ts";
import {
  API_CACHE_TTL_MS,
  type ApiCache,
  type ApiInfo,
  detectApi,
  type OdooApi,
} from "./detect.ts";
import { callJson2 } from "./json2.ts";
import { callJsonRpc, type RpcSettings } from "./rpc.ts";

/** Who calls, and how the API is chosen. */
export interface TransportConfig {
  db: string;
  login: string;
  apiKey: string;
  /** `auto` detects and caches; a fixed API skips detection. */
  api: OdooApi | "auto";
  cache: ApiCache;
  now: () => number;
}

/** ORM access independent of the wire format. */
export interface Transport {
  /** The uid of the integration user (verifies the key). */
  authenticate(): Promise<number>;
  /** `model.method(**kwargs)`. */
  execute(model: string, method: string, kwargs: Record<string, unknown>): Promise<unknown>;
}

const FIX = "Odoo answers neither /jsonrpc nor JSON-2: give the integration user's database " +
  "the external API (JSON-2, Odoo 19+, a plan with API access), or set the system parameter " +
  "rpc.use_deprecated_services = True to re-enable /jsonrpc";

const other = (api: OdooApi): OdooApi => (api === "json2" ? "jsonrpc" : "json2");
const vanished = (err: unknown) =>
  err instanceof OdooApiUnavailableError || (err instanceof OdooHttpError && err.status === 404);

/** Creates the transport of one client. */
export function createTransport(s: RpcSettings, c: TransportConfig): Transport {
  const key = `${s.base}\n${c.db}\n${c.login}`;
  let nextId = 1;
  let uid: Promise<number> | null = null;

  async function chosen(): Promise<OdooApi> {
    if (c.api !== "auto") return c.api;
    const hit = c.cache.get(key);
    if (hit && c.now() - hit.checkedAt < API_CACHE_TTL_MS) return hit.api;
    const found = await detectApi(s, nextId++);
    c.cache.set(key, { ...found, checkedAt: c.now() });
    s.logger("info", "odoo_api_detected", { db: c.db, api: found.api, version: found.major });
    return found.api;
  }

  async function jsonrpcAuthenticate(): Promise<number> {
    const params = {
      service: "common",
      method: "authenticate",
      args: [c.db, c.login, c.apiKey, {}],
    };
    const info = { service: "common", method: "authenticate" };
    const result = await callJsonRpc(s, { path: "/jsonrpc", params, info }, nextId++);
    if (result === false) {
      s.logger("warn", "odoo_auth_refused", { db: c.db });
      throw new OdooAuthError("Odoo common.authenticate refused the login or API key");
    }
    if (typeof result !== "number" || !Number.isInteger(result) || result <= 0) {
      throw new OdooError("Odoo common.authenticate: the answer is not a uid");
    }
    return result;
  }

  function cachedUid(): Promise<number> {
    uid ??= jsonrpcAuthenticate().catch((err) => {
      uid = null;
      throw err;
    });
    return uid;
  }

  async function viaJsonrpc(model: string, method: string, kwargs: Record<string, unknown>) {
    const userId = await cachedUid();
    const args = [c.db, userId, c.apiKey, model, method, [], kwargs];
    const params = { service: "object", method: "execute_kw", args };
    const info = { service: "object", method, model };
    try {
      return await callJsonRpc(s, { path: "/jsonrpc", params, info }, nextId++);
    } catch (err) {
      if (err instanceof OdooAuthError) uid = null;
      throw err;
    }
  }

  const run = (api: OdooApi, model: string, method: string, kwargs: Record<string, unknown>) =>
    api === "json2" ? callJson2(s, c, model, method, kwargs) : viaJsonrpc(model, method, kwargs);

  async function execute(model: string, method: string, kwargs: Record<string, unknown>) {
    const api = await chosen();
    try {
      return await run(api, model, method, kwargs);
    } catch (err) {
      if (c.api !== "auto" || !vanished(err)) throw err;
    }
    const fallback = other(api);
    try {
      const result = await run(fallback, model, method, kwargs);
      const known = c.cache.get(key);
      c.cache.set(key, { major: known?.major ?? 0, api: fallback, checkedAt: c.now() } as ApiInfo);
      s.logger("warn", "odoo_api_switched", { db: c.db, from: api, to: fallback });
      return result;
    } catch (err) {
      if (!vanished(err)) throw err;
      s.logger("error", "odoo_api_unavailable", { db: c.db, fix: FIX });
      throw new OdooApiUnavailableError(FIX);
    }
  }

  async function authenticate(): Promise<number> {
    uid = null;
    if ((await chosen()) === "jsonrpc") return await cachedUid();
    const ids = await execute("res.users", "search", {
      domain: [["login", "=", c.login]],
      limit: 1,
    });
    if (!Array.isArray(ids) || !Number.isInteger(ids[0])) {
      throw new OdooAuthError("Odoo JSON-2: the API key's user is not the configured login");
    }
    return ids[0];
  }

  return { authenticate, execute };
}
