/**
 * An in-memory Odoo 17, 18, 19 or 20 for the subset the sync uses, driven by
 * Odoo's own rules (each cited in the file that implements it):
 * - `/jsonrpc` (`common.version`, `authenticate`, `login`; `object.execute_kw`
 *   with `search_read` / `search` / `search_count`); on 20 it answers NotFound
 *   unless `deprecatedRpc` (`rpc.use_deprecated_services`) is set;
 * - JSON-2 (`POST /json/2/<model>/<method>`, bearer key) from 19 on;
 * - `/web/webclient/version_info` and `/web/session/authenticate`, enough for
 *   an unmodified third-party client (Debian's python3-odoorpc);
 * - transactions: `write_date` = the transaction's start, with microseconds,
 *   visible at commit ({@linkcode OdooTestServer.begin}); unlink and lead merge;
 * - record rules (`canRead`): limit-then-filter for `mail.message` on 17-19
 *   (other models on 17), filtering before the limit after;
 * - values Odoo changes without writing the record: a raw SQL `UPDATE`
 *   ({@linkcode OdooTestServer.sqlUpdate}) and a renamed related record
 *   ({@linkcode OdooTestServer.rename});
 * - reads send datetimes to the second and an empty integer as 0.
 * Test support only: never deployed.
 *
 * Faithful details worth knowing:
 * - JSON-RPC errors come back as HTTP 200 with `error.code` 0 (404 for
 *   NotFound), "Odoo Server Error".
 * - `crm.lead` hides `active = false` records unless the domain mentions
 *   `active` or `context.active_test` is `false`.
 * - Ties in `order` keep physical order, and an updated record moves to the
 *   end (like a PostgreSQL heap), so a sort without `id` is not stable.
 * - Default order is `id desc`; `limit: 0` means no limit.
 */
import { failureSlot, handleRpc, type OdooCall, type OdooFailure } from "./_odoo/http.ts";
import type { OdooTestUser, OdooVersion, State } from "./_odoo/dispatch.ts";
import {
  COMODELS,
  MODELS,
  normalise,
  type OdooComodel,
  type OdooModelName,
  type OdooRecord,
} from "./_odoo/model.ts";
import { beginTx, type OdooTransaction } from "./_odoo/tx.ts";

export type { OdooCall, OdooFailure } from "./_odoo/http.ts";
export type { OdooTestUser, OdooVersion } from "./_odoo/dispatch.ts";
export type { OdooTransaction } from "./_odoo/tx.ts";
export type { OdooComodel, OdooModelName, OdooRecord } from "./_odoo/model.ts";
export { makeLeads, type MakeLeadsOptions, makeMessages } from "./_odoo/records.ts";

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
  /** Odoo major version. Default 17. */
  version?: OdooVersion;
  /** `rpc.use_deprecated_services`: keeps `/jsonrpc` on 20. Default false. */
  deprecatedRpc?: boolean;
  /** Record rules of the users: what they may read. Default: everything. */
  canRead?: (model: OdooModelName, rec: OdooRecord) => boolean;
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
  /** Inserts or updates a record in its own transaction at `now()`, committed at once. */
  upsertRecord(model: OdooModelName, rec: Partial<OdooRecord>): OdooRecord;
  /** Opens a transaction that started at `at` (+ `micros` µs); nothing is visible before `commit()`. */
  begin(at: Date, micros?: number): OdooTransaction;
  /** Unlinks records in their own transaction at `now()`. */
  unlink(model: OdooModelName, ids: number[]): void;
  /**
   * Changes stored values with raw SQL, as `crm.lead._update_automated_probabilities`
   * (`addons/crm/models/crm_lead.py`, the daily predictive lead scoring action)
   * sets `probability` with `UPDATE crm_lead SET ... WHERE id = ANY(%s)`:
   * no ORM write, so `write_date` stays as it was. Visible at once.
   */
  sqlUpdate(model: OdooModelName, ids: number[], values: Partial<OdooRecord>): void;
  /**
   * Renames a related record (a stage, a salesperson, a partner): every
   * many2one pointing to it reads the new name, since `read` takes a many2one's
   * name from the related record at read time (`odoo/fields.py`
   * `Many2one.convert_to_read`: `(value.id, value.sudo().display_name)`),
   * while the records holding the many2one are not written.
   */
  rename(comodel: OdooComodel, id: number, name: string): void;
  /** Copies of the stored records of `model`, by ascending id. */
  records(model: OdooModelName): OdooRecord[];
}

function initialState(options: OdooServerOptions): State {
  const users = options.users ?? [{ login: "admin", apiKey: "test-api-key", uid: 2 }];
  const state: State = {
    db: options.db ?? "odoo",
    users,
    version: options.version ?? 17,
    deprecatedRpc: options.deprecatedRpc ?? false,
    canRead: options.canRead ?? null,
    sessions: new Map(),
    store: { "crm.lead": [], "mail.message": [], "res.users": [] },
    nextId: { "crm.lead": 1, "mail.message": 1, "res.users": 1 },
  };
  const seeded = {
    ...options.records,
    "res.users": users.map((u) => ({ id: u.uid, login: u.login, name: u.login, active: true })),
  };
  for (const model of MODELS) {
    state.store[model] = (seeded[model] ?? []).map((r) => normalise(model, r));
    state.nextId[model] = state.store[model].reduce((m, r) => Math.max(m, r.id), 0) + 1;
  }
  return state;
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
  const state = initialState(options);
  const received: OdooCall[] = [];
  const failures = failureSlot();
  const stop = new AbortController();
  const ctx = { state, received, failures, closing: stop.signal };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: stop.signal, onListen: () => {} },
    (req) => handleRpc(req, ctx),
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    async close() {
      stop.abort();
      await server.finished;
    },
    calls: () => structuredClone(received),
    setFailure: (f: OdooFailure | null) => failures.set(f),
    upsertRecord(model, rec) {
      const tx = beginTx(state, now());
      const written = tx.write(model, rec);
      tx.commit();
      return written;
    },
    begin: (at, micros) => beginTx(state, at, micros),
    unlink(model, ids) {
      const tx = beginTx(state, now());
      tx.unlink(model, ids);
      tx.commit();
    },
    sqlUpdate(model, ids, values) {
      const wanted = new Set(ids);
      for (const rec of state.store[model]) {
        if (wanted.has(rec.id)) Object.assign(rec, normalise(model, { ...rec, ...values }));
      }
    },
    rename(comodel, id, name) {
      for (const model of MODELS) {
        for (const [field, target] of Object.entries(COMODELS[model])) {
          for (const rec of state.store[model]) {
            const v = rec[field];
            if (target === comodel && Array.isArray(v) && v[0] === id) rec[field] = [id, name];
          }
        }
      }
    },
    records: (model) => structuredClone(state.store[model]).sort((a, b) => a.id - b.id),
  };
}
