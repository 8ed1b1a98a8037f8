/**
 * An in-memory Odoo that speaks the external JSON-RPC API (`POST /jsonrpc`)
 * for the subset the sync uses: `common.version`, `common.authenticate`
 * (and `login`), and `object.execute_kw` with `search_read` / `search_count`
 * on `crm.lead` and `mail.message`. Answers use Odoo's real envelopes,
 * exception names and value shapes. Test support only: never deployed.
 *
 * Faithful details worth knowing:
 * - Errors come back as HTTP 200 with `error.code` 200, "Odoo Server Error".
 * - `crm.lead` hides `active = false` records unless the domain mentions
 *   `active` or `context.active_test` is `false`.
 * - Ties in `order` keep physical order, and an updated record moves to the
 *   end (like a PostgreSQL heap), so a sort without `id` is not stable.
 * - Default order is `id desc`; `limit: 0` means no limit.
 */

/** A record in Odoo's JSON shape: many2one `[id, "name"]`, empty values `false`. */
export type OdooRecord = { id: number; [field: string]: unknown };

/** Models this server knows. */
export type OdooModelName = "crm.lead" | "mail.message";

/** A user whose API key works for `authenticate` and `execute_kw`. */
export interface OdooTestUser {
  login: string;
  apiKey: string;
  uid: number;
}

/**
 * An injected failure. `times` limits how many matching calls fail (default:
 * all until cleared). With `model`, only `execute_kw` calls on that model match.
 * `accessDenied` only hits `object` calls; `slow` waits `delayMs` (default
 * 30000) before answering normally, unless the client goes away first.
 */
export interface OdooFailure {
  kind: "http500" | "slow" | "accessDenied" | "drop";
  times?: number;
  delayMs?: number;
  model?: string;
}

/** One received JSON-RPC call. For `execute_kw`, `method` is the ORM method and `args`/`kwargs` its own. */
export interface OdooCall {
  service: string;
  method: string;
  model?: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** Options of {@linkcode startOdooServer}. */
export interface OdooServerOptions {
  /** Database name. Default: `"odoo"`. */
  db?: string;
  /** Users. Default: `[{ login: "admin", apiKey: "test-api-key", uid: 2 }]`. */
  users?: OdooTestUser[];
  /** Initial records (copied; missing fields become `false`). Default: none. */
  records?: Partial<Record<OdooModelName, OdooRecord[]>>;
  /** Clock for `upsertRecord`'s `write_date`. Default: `() => new Date()`. */
  now?: () => Date;
}

/** A running test server. */
export interface OdooTestServer {
  /** Base URL, e.g. `http://127.0.0.1:54321` (the client appends `/jsonrpc`). */
  url: string;
  /** Stops the server and ends any delayed answer. Idempotent. */
  close(): Promise<void>;
  /** Calls received so far, oldest first (including failed ones). */
  calls(): OdooCall[];
  /** Sets or clears (`null`) the injected failure. */
  setFailure(f: OdooFailure | null): void;
  /** Inserts or updates a record; sets `write_date` to `now()` and assigns an `id` if missing. */
  upsertRecord(model: OdooModelName, rec: Partial<OdooRecord>): OdooRecord;
  /** Copies of the stored records of `model`, by ascending id. */
  records(model: OdooModelName): OdooRecord[];
}

type FieldType = "integer" | "char" | "many2one" | "float" | "boolean" | "datetime";

const FIELDS: Record<OdooModelName, Record<string, FieldType>> = {
  "crm.lead": {
    id: "integer",
    name: "char",
    partner_name: "char",
    email_from: "char",
    stage_id: "many2one",
    user_id: "many2one",
    probability: "float",
    expected_revenue: "float",
    active: "boolean",
    create_date: "datetime",
    write_date: "datetime",
  },
  "mail.message": {
    id: "integer",
    model: "char",
    res_id: "integer",
    body: "char",
    author_id: "many2one",
    message_type: "char",
    subtype_id: "many2one",
    date: "datetime",
    create_date: "datetime",
    write_date: "datetime",
  },
};

const VERSION = {
  server_version: "17.0",
  server_version_info: [17, 0, 0, "final", 0, ""],
  server_serie: "17.0",
  protocol_version: 1,
};

/** A Python exception to be sent back as an Odoo error envelope. */
class OdooFault extends Error {
  constructor(readonly odooName: string, message: string) {
    super(message);
  }
}

const valueError = (message: string) => new OdooFault("builtins.ValueError", message);

/** Python-ish repr, for error messages that quote domains the way Odoo does. */
function pyRepr(v: unknown, tuple = false): string {
  if (v === true || v === false) return v ? "True" : "False";
  if (v === null || v === undefined) return "None";
  if (typeof v === "string") return `'${v.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  if (Array.isArray(v)) {
    const inner = v.map((x) => pyRepr(x)).join(", ");
    return tuple ? `(${inner})` : `[${inner}]`;
  }
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** Odoo's datetime format, UTC. Kept separate from the client's helper on purpose. */
function odooDatetime(d: Date): string {
  return d.toISOString().slice(0, 19).replace("T", " ");
}

// ---------------------------------------------------------------- domains

type Pred = (r: OdooRecord) => boolean;
const OPERATORS = new Set([
  "=",
  "!=",
  ">",
  ">=",
  "<",
  "<=",
  "in",
  "not in",
  "like",
  "ilike",
  "not like",
  "not ilike",
  "=?",
]);
const isNull = (v: unknown) => v === false || v === null || v === undefined;

/** A stored value as SQL sees it: many2one → its id, empty → null. */
function sqlValue(v: unknown, type: FieldType): unknown {
  if (type === "boolean") return v === true;
  if (isNull(v)) return null;
  return Array.isArray(v) ? v[0] : v;
}

function ordered(a: unknown, b: unknown): number | null {
  if (typeof a !== typeof b || (typeof a !== "number" && typeof a !== "string")) return null;
  return (a as number | string) < (b as number | string)
    ? -1
    : (a as number | string) > (b as number | string)
    ? 1
    : 0;
}

function matchLeaf(actual: unknown, op: string, value: unknown): boolean {
  if (op === "=?") return isNull(value) || matchLeaf(actual, "=", value);
  if (op === "in" || op === "not in") {
    const list = value as unknown[];
    const hit = actual === null ? list.some(isNull) : list.includes(actual);
    return op === "in" ? hit : !hit;
  }
  if (op === "=" || op === "!=") {
    const eq = isNull(value) ? actual === null || actual === false : actual === value;
    return op === "=" ? eq : !eq;
  }
  if (op.endsWith("like")) {
    const ci = op.endsWith("ilike");
    const needle = ci ? String(value).toLowerCase() : String(value);
    const hay = actual === null ? null : ci ? String(actual).toLowerCase() : String(actual);
    const hit = hay !== null && hay.includes(needle);
    return op.startsWith("not") ? hay === null || !hit : hit;
  }
  if (actual === null || isNull(value)) return false;
  const c = ordered(actual, value);
  if (c === null) return false;
  return op === ">" ? c > 0 : op === ">=" ? c >= 0 : op === "<" ? c < 0 : c <= 0;
}

function compileLeaf(model: OdooModelName, leaf: unknown): Pred {
  if (!Array.isArray(leaf) || leaf.length !== 3) {
    throw valueError(`Invalid leaf ${pyRepr(leaf, Array.isArray(leaf))}`);
  }
  const [field, rawOp, rawValue] = leaf;
  if (rawOp === "=" && rawValue === 1 && (field === 1 || field === 0)) return () => field === 1;
  const op = typeof rawOp === "string" ? rawOp.toLowerCase().replace("<>", "!=") : rawOp;
  if (typeof field !== "string" || !OPERATORS.has(op)) {
    throw valueError(`Invalid leaf ${pyRepr(leaf, true)}`);
  }
  const type = FIELDS[model][field];
  if (!type) throw valueError(`Invalid field ${model}.${field} in leaf ${pyRepr(leaf, true)}`);
  let value = rawValue;
  if ((op === "in" || op === "not in") && !Array.isArray(value)) value = [value];
  if (Array.isArray(value) && op !== "in" && op !== "not in") {
    throw valueError(`Invalid leaf ${pyRepr(leaf, true)}`);
  }
  return (r) => matchLeaf(sqlValue(r[field], type), op, value);
}

/** Compiles a domain in Polish prefix notation (`&`, `|`, `!`, implicit `&`). */
function compileDomain(model: OdooModelName, domain: unknown): Pred {
  if (!Array.isArray(domain)) throw valueError(`Invalid domain ${pyRepr(domain)}`);
  let i = 0;
  const term = (): Pred => {
    if (i >= domain.length) {
      throw valueError(`Domain ${pyRepr(domain)} is syntactically not correct.`);
    }
    const t = domain[i++];
    if (t === "!") {
      const a = term();
      return (r) => !a(r);
    }
    if (t === "&" || t === "|") {
      const a = term();
      const b = term();
      return t === "&" ? (r) => a(r) && b(r) : (r) => a(r) || b(r);
    }
    return compileLeaf(model, t);
  };
  const parts: Pred[] = [];
  while (i < domain.length) parts.push(term());
  return (r) => parts.every((p) => p(r));
}

const mentionsField = (domain: unknown[], field: string) =>
  domain.some((t) => Array.isArray(t) && t[0] === field);

// ---------------------------------------------------------------- order

interface OrderKey {
  field: string;
  desc: boolean;
  nullsFirst: boolean;
}

const ORDER_PART = /^"?([a-z0-9_]+)"?(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?$/i;

/** Parses an Odoo order spec such as `"write_date asc, id desc"`. */
function parseOrder(model: OdooModelName, spec: unknown): OrderKey[] {
  if (spec === undefined || spec === null || spec === false || spec === "") spec = "id desc";
  const invalid = () =>
    valueError(
      `Invalid "order" specified (${String(spec)}). A valid "order" specification is a ` +
        `comma-separated list of valid field names (optionally followed by asc/desc for the direction)`,
    );
  if (typeof spec !== "string") throw invalid();
  return spec.split(",").map((part) => {
    const m = ORDER_PART.exec(part.trim());
    if (!m) throw invalid();
    if (!FIELDS[model][m[1]]) throw valueError(`Invalid field '${m[1]}' on model '${model}'`);
    const desc = (m[2] ?? "asc").toLowerCase() === "desc";
    // PostgreSQL: NULLS LAST for ASC, NULLS FIRST for DESC, unless stated.
    const nullsFirst = m[3] ? m[3].toLowerCase() === "first" : desc;
    return { field: m[1], desc, nullsFirst };
  });
}

function sortRecords(model: OdooModelName, rows: OdooRecord[], keys: OrderKey[]): OdooRecord[] {
  const cmp = (a: OdooRecord, b: OdooRecord) => {
    for (const k of keys) {
      const type = FIELDS[model][k.field];
      const x = type === "boolean" ? Number(a[k.field] === true) : sqlValue(a[k.field], type);
      const y = type === "boolean" ? Number(b[k.field] === true) : sqlValue(b[k.field], type);
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null) === k.nullsFirst ? -1 : 1;
      }
      const c = ordered(x, y) ?? 0;
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  };
  return [...rows].sort(cmp);
}

// ---------------------------------------------------------------- search_read

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

function search(
  model: OdooModelName,
  store: OdooRecord[],
  domain: unknown,
  context: Record<string, unknown>,
): OdooRecord[] {
  const list = domain === undefined || domain === false || domain === null ? [] : domain;
  const pred = compileDomain(model, list);
  const activeTest = "active" in FIELDS[model] && context.active_test !== false &&
    !mentionsField(list as unknown[], "active");
  return store.filter((r) => pred(r) && (!activeTest || r.active === true));
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

// ---------------------------------------------------------------- server

interface State {
  db: string;
  users: OdooTestUser[];
  store: Record<OdooModelName, OdooRecord[]>;
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

function dispatch(state: State, service: unknown, method: unknown, args: unknown[]): unknown {
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

function envelope(id: unknown, fault: OdooFault) {
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

const jsonResponse = (body: unknown) =>
  new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });

const INTERNAL_ERROR_HTML =
  "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n" +
  "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable " +
  "to complete your request. Either the server is overloaded or there is an error in the " +
  "application.</p>\n";

function describe(params: Record<string, unknown>): OdooCall {
  const args = Array.isArray(params.args) ? structuredClone(params.args) : [];
  const service = String(params.service);
  if (service === "object" && params.method === "execute_kw") {
    return {
      service,
      method: String(args[4]),
      model: String(args[3]),
      args: Array.isArray(args[5]) ? args[5] : [],
      kwargs: (args[6] && typeof args[6] === "object" ? args[6] : {}) as Record<string, unknown>,
    };
  }
  return { service, method: String(params.method), args, kwargs: {} };
}

function sleepUnless(ms: number, signals: AbortSignal[]): Promise<boolean> {
  const any = AbortSignal.any(signals);
  return new Promise((resolve) => {
    if (any.aborted) return resolve(false);
    const timer = setTimeout(() => {
      any.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    any.addEventListener("abort", onAbort, { once: true });
  });
}

async function failWith(
  f: OdooFailure,
  id: unknown,
  req: Request,
  closing: AbortSignal,
): Promise<Response | null> {
  if (f.kind === "http500") {
    return new Response(INTERNAL_ERROR_HTML, {
      status: 500,
      headers: { "Content-Type": "text/html; charset=utf-8" },
    });
  }
  if (f.kind === "accessDenied") {
    return jsonResponse(
      envelope(id, new OdooFault("odoo.exceptions.AccessDenied", "Access Denied")),
    );
  }
  if (f.kind === "drop") {
    // Promise 4 KiB, send a few bytes, stop: the client sees the connection break mid-answer.
    const partial = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"jsonrpc": "2.0", "id": '));
        c.close();
      },
    });
    return new Response(partial, {
      headers: { "Content-Type": "application/json", "Content-Length": "4096" },
    });
  }
  const completed = await sleepUnless(f.delayMs ?? 30_000, [req.signal, closing]);
  return completed ? null : new Response("client went away", { status: 499 });
}

function normalise(model: OdooModelName, rec: Partial<OdooRecord>): OdooRecord {
  const out: Record<string, unknown> = {};
  for (const f of Object.keys(rec)) {
    if (!FIELDS[model][f]) throw new Error(`odoo_server: ${model} has no field ${f}`);
  }
  for (const f of Object.keys(FIELDS[model])) out[f] = structuredClone(rec[f] ?? false);
  return out as OdooRecord;
}

/**
 * Starts the fake Odoo on 127.0.0.1 (random port). Always `await close()`.
 *
 * @param options database, users, initial records and clock.
 * @returns an {@linkcode OdooTestServer}.
 * @example
 * const odoo = startOdooServer({ records: { "crm.lead": makeLeads(10, { start: new Date() }) } });
 * try {
 *   const client = createOdooClient({ baseUrl: odoo.url, db: "odoo", login: "admin", apiKey: "test-api-key" });
 *   await client.searchRead("crm.lead", [], { fields: ["name"] });
 * } finally {
 *   await odoo.close();
 * }
 */
export function startOdooServer(options: OdooServerOptions = {}): OdooTestServer {
  const now = options.now ?? (() => new Date());
  const state: State = {
    db: options.db ?? "odoo",
    users: options.users ?? [{ login: "admin", apiKey: "test-api-key", uid: 2 }],
    store: { "crm.lead": [], "mail.message": [] },
  };
  for (const model of ["crm.lead", "mail.message"] as const) {
    state.store[model] = (options.records?.[model] ?? []).map((r) => normalise(model, r));
  }
  const received: OdooCall[] = [];
  let failure: OdooFailure | null = null;
  let remaining = Infinity;
  const stop = new AbortController();

  function takeFailure(call: OdooCall): OdooFailure | null {
    if (!failure || remaining <= 0) return null;
    if (failure.model !== undefined && call.model !== failure.model) return null;
    if (failure.kind === "accessDenied" && call.service !== "object") return null;
    const f = failure;
    if (--remaining <= 0) failure = null;
    return f;
  }

  async function handle(req: Request): Promise<Response> {
    if (new URL(req.url).pathname !== "/jsonrpc") {
      return new Response("<h1>Not Found</h1>", {
        status: 404,
        headers: { "Content-Type": "text/html" },
      });
    }
    if (req.method !== "POST") return new Response("Method Not Allowed", { status: 405 });
    let body: Record<string, unknown>;
    try {
      body = await req.json();
    } catch {
      return new Response("<h1>Bad Request</h1>", {
        status: 400,
        headers: { "Content-Type": "text/html" },
      });
    }
    const id = body?.id ?? null;
    const params = (body?.params ?? {}) as Record<string, unknown>;
    const call = describe(params);
    received.push(call);
    const f = takeFailure(call);
    if (f) {
      const res = await failWith(f, id, req, stop.signal);
      if (res) return res;
    }
    try {
      const args = Array.isArray(params.args) ? params.args : [];
      return jsonResponse({
        jsonrpc: "2.0",
        id,
        result: dispatch(state, params.service, params.method, args),
      });
    } catch (err) {
      if (err instanceof OdooFault) return jsonResponse(envelope(id, err));
      throw err;
    }
  }

  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: stop.signal, onListen: () => {} },
    handle,
  );

  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    async close() {
      stop.abort();
      await server.finished;
    },
    calls: () => structuredClone(received),
    setFailure(f) {
      failure = f;
      remaining = f?.times ?? Infinity;
    },
    upsertRecord(model, rec) {
      const store = state.store[model];
      const at = rec.id === undefined ? -1 : store.findIndex((r) => r.id === rec.id);
      const stamp = odooDatetime(now());
      const old = at >= 0 ? store.splice(at, 1)[0] : undefined;
      const id = rec.id ?? store.reduce((m, r) => Math.max(m, r.id), 0) + 1;
      const created = old ? {} : { create_date: stamp };
      const merged = normalise(model, { ...created, ...old, ...rec, id, write_date: stamp });
      store.push(merged);
      return structuredClone(merged);
    },
    records: (model) => structuredClone(state.store[model]).sort((a, b) => a.id - b.id),
  };
}

// ---------------------------------------------------------------- fixtures

const COMPANIES = [
  "Azure Interior",
  "Deco Addict",
  "Gemini Furniture",
  "Café Lumière",
  "Lumber Inc",
  "Ready Mat",
  "Wood Corner",
  "Ørsted & Søn",
];
const STAGES: [number, string, number][] = [[1, "New", 10], [2, "Qualified", 30], [
  3,
  "Proposition",
  60,
], [4, "Won", 100]];
const SALESPEOPLE: ([number, string] | false)[] = [[2, "Mitchell Admin"], [6, "Marc Demo"], false];

/** Options of {@linkcode makeLeads}. */
export interface MakeLeadsOptions {
  /** `write_date` of the first lead. */
  start: Date;
  /** Seconds between consecutive distinct `write_date`s. Default: 60. */
  stepSeconds?: number;
  /** Runs of this many consecutive leads share one `write_date`. Default: 3; 1 = all distinct. */
  sameTimestampEvery?: number;
  /** Id of the first lead. Default: 1. */
  firstId?: number;
}

/**
 * Makes `n` realistic `crm.lead` records with ascending ids and non-decreasing
 * `write_date`s (repeated in runs, see `sameTimestampEvery`). Some have no
 * salesperson, email or company (`false`); names include non-ASCII text.
 *
 * @param n how many leads.
 * @param opts start time, spacing and repetition of `write_date`.
 * @returns the records, in Odoo's JSON shape.
 * @example
 * const leads = makeLeads(10_000, { start: new Date("2024-01-01T00:00:00Z"), sameTimestampEvery: 5 });
 */
export function makeLeads(n: number, opts: MakeLeadsOptions): OdooRecord[] {
  const step = (opts.stepSeconds ?? 60) * 1000;
  const run = Math.max(1, Math.floor(opts.sameTimestampEvery ?? 3));
  const first = opts.firstId ?? 1;
  return Array.from({ length: n }, (_, i) => {
    const id = first + i;
    const written = new Date(opts.start.getTime() + Math.floor(i / run) * step);
    const [stageId, stageName, probability] = STAGES[id % STAGES.length];
    const company = COMPANIES[id % COMPANIES.length];
    return {
      id,
      name: `${company}: ${["Office chairs", "Desks", "Design study", "Cabinets"][id % 4]} #${id}`,
      partner_name: id % 11 === 0 ? false : company,
      email_from: id % 7 === 0
        ? false
        : `contact${id}@${company.toLowerCase().replace(/[^a-z]+/g, "")}.example`,
      stage_id: [stageId, stageName],
      user_id: SALESPEOPLE[id % SALESPEOPLE.length],
      probability,
      expected_revenue: 500 * ((id * 37) % 40 + 1),
      active: true,
      create_date: odooDatetime(new Date(written.getTime() - (id % 5) * 3_600_000)),
      write_date: odooDatetime(written),
    };
  });
}

/**
 * Makes `perLead` `mail.message` records for each lead: comments (HTML body,
 * "Discussions" or "Note" subtype) and tracking notifications (empty body).
 * Ids ascend from `firstId` (default 1); `date` and `write_date` follow the
 * lead's `create_date`, one minute apart.
 *
 * @param leads records from {@linkcode makeLeads} (needs `id`, `create_date`, `partner_name`).
 * @param perLead messages per lead.
 * @param opts `firstId`, default 1.
 * @returns the records, in Odoo's JSON shape.
 * @example
 * const messages = makeMessages(makeLeads(100, { start: new Date() }), 3);
 */
export function makeMessages(
  leads: OdooRecord[],
  perLead: number,
  opts: { firstId?: number } = {},
): OdooRecord[] {
  let id = opts.firstId ?? 1;
  return leads.flatMap((lead) =>
    Array.from({ length: perLead }, (_, j) => {
      const created = Date.parse(`${String(lead.create_date).replace(" ", "T")}Z`);
      const stamp = odooDatetime(new Date(created + (j + 1) * 60_000));
      const comment = j % 3 !== 2;
      const who = lead.partner_name || "the customer";
      return {
        id: id++,
        model: "crm.lead",
        res_id: lead.id,
        body: comment ? `<p>Call with ${who}: follow-up #${j + 1} &amp; next steps</p>` : "",
        author_id: j % 2 === 0 ? [3, "Mitchell Admin"] : [7, "Marc Demo"],
        message_type: comment ? "comment" : "notification",
        subtype_id: comment
          ? (j % 2 === 0 ? [1, "Discussions"] : [2, "Note"])
          : [8, "Stage Changed"],
        date: stamp,
        create_date: stamp,
        write_date: stamp,
      };
    })
  );
}
