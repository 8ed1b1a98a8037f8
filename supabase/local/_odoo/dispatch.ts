/**
 * The fake Odoo's JSON-RPC services: `common` (version, authenticate, login)
 * and `object.execute_kw` with `search_read` / `search_count`, plus Odoo's
 * error envelope. Internal to `supabase/local/odoo.ts`.
 *
 * @module
 */
import { isNull, parseOrder, search, sortRecords } from "./domain.ts";
import {
  FIELDS,
  OdooFault,
  type OdooModelName,
  type OdooRecord,
  pyRepr,
  valueError,
} from "./model.ts";

/** A user whose API key works for `authenticate` and `execute_kw`. */
export interface OdooTestUser {
  login: string;
  apiKey: string;
  uid: number;
}

/** Everything the server knows: its database name, users and records. */
export interface State {
  db: string;
  users: OdooTestUser[];
  store: Record<OdooModelName, OdooRecord[]>;
}

const VERSION = {
  server_version: "17.0",
  server_version_info: [17, 0, 0, "final", 0, ""],
  server_serie: "17.0",
  protocol_version: 1,
};

const SEARCH_READ_PARAMS = ["domain", "fields", "offset", "limit", "order"];

function bindArgs(
  method: string,
  names: string[],
  args: unknown[],
  kwargs: Record<string, unknown>,
) {
  const bound: Record<string, unknown> = {};
  if (args.length > names.length) {
    throw new OdooFault("builtins.TypeError", `${method}() takes too many positional arguments`);
  }
  args.forEach((a, i) => (bound[names[i]] = a));
  for (const [k, v] of Object.entries(kwargs)) {
    if (k === "context" || k === "load") continue;
    if (!names.includes(k)) {
      throw new OdooFault(
        "builtins.TypeError",
        `${method}() got an unexpected keyword argument '${k}'`,
      );
    }
    if (k in bound) {
      throw new OdooFault(
        "builtins.TypeError",
        `${method}() got multiple values for argument '${k}'`,
      );
    }
    bound[k] = v;
  }
  return bound;
}

function count(v: unknown, what: string): number | null {
  if (isNull(v) || v === 0) return null;
  if (!Number.isInteger(v) || (v as number) < 0) throw valueError(`Invalid ${what} ${pyRepr(v)}`);
  return v as number;
}

function searchRead(
  model: OdooModelName,
  store: OdooRecord[],
  args: unknown[],
  kwargs: Record<string, unknown>,
): Record<string, unknown>[] {
  const p = bindArgs("search_read", SEARCH_READ_PARAMS, args, kwargs);
  const known = FIELDS[model];
  const fields = Array.isArray(p.fields) && p.fields.length ? p.fields : Object.keys(known);
  for (const f of fields) {
    if (typeof f !== "string" || !known[f]) {
      throw valueError(`Invalid field ${pyRepr(f)} on model ${pyRepr(model)}`);
    }
  }
  const keys = parseOrder(model, p.order);
  const context = (kwargs.context ?? {}) as Record<string, unknown>;
  const rows = sortRecords(model, search(model, store, p.domain, context), keys);
  const offset = count(p.offset, "offset") ?? 0;
  const limit = count(p.limit, "limit");
  const page = rows.slice(offset, limit === null ? undefined : offset + limit);
  return page.map((r) => {
    const out: Record<string, unknown> = { id: r.id };
    for (const f of fields as string[]) out[f] = structuredClone(r[f]);
    return out;
  });
}

const isModel = (m: unknown): m is OdooModelName => m === "crm.lead" || m === "mail.message";

function checkDb(state: State, db: unknown) {
  if (db !== state.db) {
    throw new OdooFault(
      "psycopg2.OperationalError",
      `connection to server at "localhost" (127.0.0.1), port 5432 failed: ` +
        `FATAL:  database ${pyRepr(String(db)).replaceAll("'", '"')} does not exist\n`,
    );
  }
}

function executeKw(state: State, args: unknown[]): unknown {
  const [db, uid, password, model, method, margs = [], mkwargs = {}] = args;
  checkDb(state, db);
  if (!state.users.some((u) => u.uid === uid && u.apiKey === password)) {
    throw new OdooFault("odoo.exceptions.AccessDenied", "Access Denied");
  }
  if (!isModel(model)) {
    throw new OdooFault("odoo.exceptions.UserError", `Object ${String(model)} doesn't exist`);
  }
  const store = state.store[model];
  const kwargs = mkwargs as Record<string, unknown>;
  if (method === "search_read") return searchRead(model, store, margs as unknown[], kwargs);
  if (method === "search_count") {
    const p = bindArgs("search_count", ["domain", "limit"], margs as unknown[], kwargs);
    return search(model, store, p.domain, (kwargs.context ?? {}) as Record<string, unknown>).length;
  }
  throw new OdooFault(
    "builtins.AttributeError",
    `The method '${String(method)}' does not exist on the model '${model}'`,
  );
}

/** Answers one JSON-RPC call; throws an {@linkcode OdooFault} for an Odoo error. */
export function dispatch(
  state: State,
  service: unknown,
  method: unknown,
  args: unknown[],
): unknown {
  if (service === "common") {
    if (method === "version") return VERSION;
    if (method === "authenticate" || method === "login") {
      checkDb(state, args[0]);
      const user = state.users.find((u) => u.login === args[1] && u.apiKey === args[2]);
      return user ? user.uid : false;
    }
    throw new OdooFault("builtins.KeyError", `'exp_${String(method)}'`);
  }
  if (service === "object") {
    if (method === "execute_kw") return executeKw(state, args);
    throw new OdooFault("builtins.NameError", `Method not available ${String(method)}`);
  }
  throw new OdooFault("builtins.KeyError", pyRepr(service));
}

/** Odoo's JSON-RPC error envelope for `fault` (HTTP 200, `error.code` 200). */
export function envelope(id: unknown, fault: OdooFault) {
  const short = fault.odooName.startsWith("builtins.") ? fault.odooName.slice(9) : fault.odooName;
  return {
    jsonrpc: "2.0",
    id,
    error: {
      code: 200,
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
