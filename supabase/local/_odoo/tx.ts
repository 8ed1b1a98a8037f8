/**
 * The fake Odoo's transactions, following Odoo's rules:
 * - every record a transaction creates or writes gets `write_date` =
 *   `cr.now()`, the transaction's START time, with microseconds
 *   (`odoo/sql_db.py` `Cursor.now`; `odoo/models.py` `_write` / `_create` set
 *   `write_date` from it), however long the transaction runs;
 * - other readers see the changes only at commit (PostgreSQL READ COMMITTED);
 * - ids come from the sequence at INSERT time, so a record with a lower id may
 *   become visible after one with a higher id;
 * - `unlink` leaves no tombstone; unlinking a lead also unlinks its chatter
 *   (`addons/mail/models/mail_thread.py`, `unlink`);
 * - merging leads writes the kept lead, moves the others' messages to it
 *   (`res_id` rewritten) and unlinks the others (`addons/crm/models/crm_lead.py`,
 *   `merge_opportunity` → `_merge_dependences` → `unlink`).
 * Internal to `supabase/local/odoo.ts`.
 *
 * @module
 */
import {
  MODELS,
  normalise,
  type OdooModelName,
  type OdooRecord,
  pgTimestamp,
  putRecord,
} from "./model.ts";

/** What a transaction works on. */
export interface TxState {
  store: Record<OdooModelName, OdooRecord[]>;
  nextId: Record<OdooModelName, number>;
}

/** An open Odoo transaction (see the module doc). */
export interface OdooTransaction {
  /** The `write_date` every record of this transaction gets (microseconds). */
  readonly stamp: string;
  /** Creates (no `id`) or updates a record; returns it as it will be committed. */
  write(model: OdooModelName, rec: Partial<OdooRecord>): OdooRecord;
  /** Deletes records (a lead's messages go with it). */
  unlink(model: OdooModelName, ids: number[]): void;
  /** Merges `others` into the lead `keep` (messages move, the others are unlinked). */
  mergeLeads(keep: number, others: number[]): void;
  /** Makes every change visible at once. */
  commit(): void;
}

/**
 * Opens a transaction that started at `at` (+ `micros` µs).
 *
 * @example
 * const tx = beginTx(state, new Date("2025-01-01T10:00:00Z"), 123_456);
 * tx.write("crm.lead", { id: 3, name: "Renamed" });
 * tx.commit(); // visible now, with write_date "2025-01-01 10:00:00.123456"
 */
export function beginTx(state: TxState, at: Date, micros = 0): OdooTransaction {
  const stamp = pgTimestamp(at, micros);
  const pending = new Map<OdooModelName, Map<number, OdooRecord | null>>(
    MODELS.map((m) => [m, new Map()]),
  );
  let open = true;
  const current = (model: OdooModelName, id: number): OdooRecord | undefined => {
    const p = pending.get(model)!;
    if (p.has(id)) return p.get(id) ?? undefined;
    return state.store[model].find((r) => r.id === id);
  };
  const live = (model: OdooModelName) => {
    const ids = new Set(state.store[model].map((r) => r.id));
    for (const [id, rec] of pending.get(model)!) rec === null ? ids.delete(id) : ids.add(id);
    return [...ids].map((id) => current(model, id)!);
  };
  const check = () => {
    if (!open) throw new Error("odoo: transaction already committed");
  };

  function write(model: OdooModelName, rec: Partial<OdooRecord>): OdooRecord {
    check();
    const old = rec.id === undefined ? undefined : current(model, rec.id);
    const id = rec.id ?? state.nextId[model]++;
    if (id >= state.nextId[model]) state.nextId[model] = id + 1;
    const created = old ? {} : { create_date: stamp };
    const merged = normalise(model, { ...created, ...old, ...rec, id, write_date: stamp });
    pending.get(model)!.set(id, merged);
    return structuredClone(merged);
  }

  function unlink(model: OdooModelName, ids: number[]): void {
    check();
    if (model === "crm.lead") {
      const gone = new Set(ids);
      const chatter = live("mail.message").filter((m) =>
        m.model === "crm.lead" && gone.has(m.res_id as number)
      );
      for (const m of chatter) pending.get("mail.message")!.set(m.id, null);
    }
    for (const id of ids) pending.get(model)!.set(id, null);
  }

  function mergeLeads(keep: number, others: number[]): void {
    write("crm.lead", { id: keep });
    const moved = new Set(others);
    for (const m of live("mail.message")) {
      if (m.model === "crm.lead" && moved.has(m.res_id as number)) {
        write("mail.message", { id: m.id, res_id: keep });
      }
    }
    unlink("crm.lead", others);
  }

  function commit(): void {
    check();
    open = false;
    for (const [model, changes] of pending) {
      const store = state.store[model];
      for (const [id, rec] of changes) {
        if (rec !== null) putRecord(store, rec);
        else {
          const i = store.findIndex((r) => r.id === id);
          if (i >= 0) store.splice(i, 1);
        }
      }
    }
  }

  return { stamp, write, unlink, mergeLeads, commit };
}
