/**
 * The fake Odoo's ORM methods, shared by `/jsonrpc` (`execute_kw`) and JSON-2:
 * `search_read`, `search`, `search_count`. Internal to `supabase/local/odoo.ts`.
 *
 * Record rules (`canRead`): a limited search of `mail.message` runs the SQL
 * with LIMIT first and then drops what the user may not read, on 17, 18 and 19
 * alike (`addons/mail/models/mail_message.py` `_search`: `query =
 * super()._search(domain, offset, limit, order)`, then the ids the user may
 * not read are removed; 18.0 and 19.0 keep that shape), so a page can come
 * back short, or empty, while more rows exist. Other models: the same up to 17
 * (`models.py` `_read_format` dropping unreadable records), filtering before
 * the limit from 18 on.
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
  readValue,
  valueError,
} from "./model.ts";
import type { TxState } from "./tx.ts";

/** A user whose API key works for every API. */
export interface OdooTestUser {
  login: string;
  apiKey: string;
  uid: number;
}

/** Odoo major versions the fake speaks. */
export type OdooVersion = 17 | 18 | 19 | 20;

/** Everything the server knows. */
export interface State extends TxState {
  db: string;
  users: OdooTestUser[];
  version: OdooVersion;
  /** `ir.config_parameter` `rpc.use_deprecated_services` (re-enables /jsonrpc on 20). */
  deprecatedRpc: boolean;
  /** Record rules of the integration user; null = reads everything. */
  canRead: ((model: OdooModelName, rec: OdooRecord) => boolean) | null;
  /** `/web/session/authenticate` sessions: id → uid. */
  sessions: Map<string, number>;
}

const PARAMS: Record<string, string[]> = {
  search_read: ["domain", "fields", "offset", "limit", "order"],
  search: ["domain", "offset", "limit", "order"],
  search_count: ["domain", "limit"],
};

function bindArgs(method: string, args: unknown[], kwargs: Record<string, unknown>) {
  const names = PARAMS[method];
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

/** The records a limited, ordered search returns, record rules applied per version. */
function page(state: State, model: OdooModelName, p: Record<string, unknown>, ctx: object) {
  const rows = sortRecords(
    model,
    search(model, state.store[model], p.domain, ctx as never),
    parseOrder(model, p.order),
  );
  const offset = count(p.offset, "offset") ?? 0;
  const limit = count(p.limit, "limit");
  const readable = (r: OdooRecord) => state.canRead === null || state.canRead(model, r);
  const cut = (list: OdooRecord[]) =>
    list.slice(offset, limit === null ? undefined : offset + limit);
  const afterLimit = state.version <= (model === "mail.message" ? 19 : 17);
  return afterLimit ? cut(rows).filter(readable) : cut(rows.filter(readable));
}

function fieldsOf(model: OdooModelName, requested: unknown): string[] {
  const known = FIELDS[model];
  const fields = Array.isArray(requested) && requested.length ? requested : Object.keys(known);
  for (const f of fields) {
    if (typeof f !== "string" || !known[f]) {
      throw valueError(`Invalid field ${pyRepr(f)} on model ${pyRepr(model)}`);
    }
  }
  return fields as string[];
}

/** Calls `model.method(*args, **kwargs)` for an authenticated user. */
export function callModel(
  state: State,
  model: unknown,
  method: unknown,
  args: unknown[],
  kwargs: Record<string, unknown>,
): unknown {
  if (typeof model !== "string" || !(model in FIELDS)) {
    // odoo/service/model.py execute_cr
    throw new OdooFault("odoo.exceptions.UserError", `Object ${String(model)} doesn't exist`);
  }
  const m = model as OdooModelName;
  const ctx = (kwargs.context ?? {}) as Record<string, unknown>;
  if (typeof method !== "string" || !(method in PARAMS)) {
    // odoo/service/model.py get_public_method (18+); the 17 wording before it.
    const text = state.version >= 18
      ? `The method '${m}.${String(method)}' does not exist`
      : `The method '${String(method)}' does not exist on the model '${m}'`;
    throw new OdooFault("builtins.AttributeError", text);
  }
  const p = bindArgs(method, args, kwargs);
  if (method === "search_count") {
    return search(m, state.store[m], p.domain, ctx).filter((r) =>
      state.canRead === null || state.canRead(m, r)
    ).length;
  }
  const rows = page(state, m, p, ctx);
  if (method === "search") return rows.map((r) => r.id);
  const fields = fieldsOf(m, p.fields);
  return rows.map((r) => {
    const out: Record<string, unknown> = { id: r.id };
    for (const f of fields) out[f] = readValue(FIELDS[m][f], r[f]);
    return out;
  });
}
