/**
 * The fake Odoo's `/jsonrpc` services (`common`: version, authenticate,
 * login; `object`: execute_kw) and Odoo's JSON-RPC error envelope. Internal to
 * `supabase/local/odoo.ts`.
 *
 * @module
 */
import { OdooFault, pyRepr } from "./model.ts";
import { callModel, type State } from "./orm.ts";

export type { OdooTestUser, OdooVersion, State } from "./orm.ts";

/** `common.version` / `/web/webclient/version_info` (`odoo/service/common.py` exp_version). */
export function versionInfo(state: State) {
  const serie = `${state.version}.0`;
  return {
    server_version: serie,
    server_version_info: [state.version, 0, 0, "final", 0, ""],
    server_serie: serie,
    protocol_version: 1,
  };
}

/** Checks the database name the way Odoo fails on an unknown one. */
export function checkDb(state: State, db: unknown) {
  if (db !== state.db) {
    throw new OdooFault(
      "psycopg2.OperationalError",
      `connection to server at "localhost" (127.0.0.1), port 5432 failed: ` +
        `FATAL:  database ${pyRepr(String(db)).replaceAll("'", '"')} does not exist\n`,
    );
  }
}

/** The user of `login` + key, or undefined. */
export const userByKey = (state: State, login: unknown, key: unknown) =>
  state.users.find((u) => u.login === login && u.apiKey === key);

function executeKw(state: State, args: unknown[]): unknown {
  const [db, uid, password, model, method, margs = [], mkwargs = {}] = args;
  checkDb(state, db);
  // odoo/service/model.py execute_kw → security.check(db, uid, passwd): uid goes through int().
  const id = typeof uid === "string" && /^\d+$/.test(uid.trim()) ? Number(uid) : uid;
  if (!state.users.some((u) => u.uid === id && u.apiKey === password)) {
    throw new OdooFault("odoo.exceptions.AccessDenied", "Access Denied");
  }
  return callModel(state, model, method, margs as unknown[], mkwargs as Record<string, unknown>);
}

/** True when `/jsonrpc` answers `common`/`object` (addons/rpc/controllers/jsonrpc.py). */
export function jsonrpcEnabled(state: State): boolean {
  return state.version < 20 || state.deprecatedRpc;
}

/** Answers one `/jsonrpc` call; throws an {@linkcode OdooFault} for an Odoo error. */
export function dispatch(
  state: State,
  service: unknown,
  method: unknown,
  args: unknown[],
): unknown {
  const guarded = service === "object" ||
    (service === "common" && (method === "login" || method === "authenticate"));
  if (guarded && !jsonrpcEnabled(state)) {
    throw new OdooFault(
      "werkzeug.exceptions.NotFound",
      "404 Not Found: The requested URL was not found on the server.",
    );
  }
  if (service === "common") {
    if (method === "version") return versionInfo(state);
    if (method === "authenticate" || method === "login") {
      checkDb(state, args[0]);
      return userByKey(state, args[1], args[2])?.uid ?? false;
    }
    // odoo/service/common.py dispatch
    throw new OdooFault("builtins.Exception", `Method not found: ${String(method)}`);
  }
  if (service === "object") {
    if (method === "execute_kw") return executeKw(state, args);
    throw new OdooFault("builtins.NameError", `Method not available ${String(method)}`);
  }
  throw new OdooFault("builtins.KeyError", pyRepr(service));
}

/**
 * Odoo's JSON-RPC error envelope for `fault` (HTTP 200). `error.code` is 0,
 * 404 for NotFound, 100 for an expired session (`odoo/http.py`,
 * `JsonRPCDispatcher.handle_error`).
 */
export function envelope(id: unknown, fault: OdooFault) {
  const short = fault.odooName.startsWith("builtins.") ? fault.odooName.slice(9) : fault.odooName;
  const code = fault.odooName === "werkzeug.exceptions.NotFound" ? 404 : 0;
  return {
    jsonrpc: "2.0",
    id,
    error: {
      code,
      message: "Odoo Server Error",
      data: {
        name: fault.odooName,
        debug: "Traceback (most recent call last):\n" +
          '  File "/opt/odoo/odoo/http.py", line 1779, in _serve_db\n' +
          "    return service_model.retrying(self._serve_ir_http, self.env)\n" +
          `${short}: ${fault.message}\n`,
        message: fault.message,
        arguments: [fault.message],
        context: {},
      },
    },
  };
}
