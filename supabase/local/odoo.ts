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
import { failureSlot, handleRpc, type OdooCall, type OdooFailure } from "./_odoo/http.ts";
import type { OdooTestUser, State } from "./_odoo/dispatch.ts";
import { normalise, type OdooModelName, type OdooRecord, upsertInto } from "./_odoo/model.ts";

export type { OdooCall, OdooFailure } from "./_odoo/http.ts";
export type { OdooTestUser } from "./_odoo/dispatch.ts";
export type { OdooModelName, OdooRecord } from "./_odoo/model.ts";
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

function initialState(options: OdooServerOptions): State {
  const state: State = {
    db: options.db ?? "odoo",
    users: options.users ?? [{ login: "admin", apiKey: "test-api-key", uid: 2 }],
    store: { "crm.lead": [], "mail.message": [] },
  };
  for (const model of ["crm.lead", "mail.message"] as const) {
    state.store[model] = (options.records?.[model] ?? []).map((r) => normalise(model, r));
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
    upsertRecord: (model, rec) => upsertInto(state.store[model], model, rec, now()),
    records: (model) => structuredClone(state.store[model]).sort((a, b) => a.id - b.id),
  };
}
