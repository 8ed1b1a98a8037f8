/**
 * After a dispatched run finishes, the function calls the SQL dispatcher
 * (`public.dispatch_odoo_sync`, migration ..._sync_dispatcher.sql) once, so
 * the next due organization is sent without waiting for the next cron tick.
 * Internal: use `odoo-sync.ts`.
 */
import { asServiceRole, type Sql } from "../db.ts";
import type { Logger } from "../log.ts";
import type { SyncJob } from "./types.ts";

/**
 * Runs one dispatcher tick for `job`; never throws (a failure is logged: the
 * next cron tick dispatches instead).
 *
 * @returns how many organizations were sent, or null on failure.
 * @example
 * await dispatchNext(sql, { job: "crm", logger, fields: { run_id } });
 */
export async function dispatchNext(
  sql: Sql,
  o: { job: SyncJob; logger: Logger; fields: Record<string, unknown> },
): Promise<number | null> {
  try {
    const [row] = await asServiceRole(
      sql,
      (tx) => tx<{ sent: number }[]>`select public.dispatch_odoo_sync(${o.job}) as sent`,
    );
    o.logger("debug", "sync_dispatched_next", { ...o.fields, sent: row.sent });
    return row.sent;
  } catch (err) {
    const error_name = err instanceof Error ? err.name : typeof err;
    const detail = (err instanceof Error ? err.message : String(err)).slice(0, 300);
    o.logger("warn", "sync_dispatch_next_failed", { ...o.fields, error_name, detail });
    return null;
  }
}
