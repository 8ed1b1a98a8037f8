/**
 * Reconciliation: Odoo's `unlink` (and a lead merge) leaves no tombstone, so
 * the ids Odoo still has are compared with ours and the missing rows get
 * `deleted_at`. Ids only (`search`), archived included (`active_test: False`),
 * paged by id (`id > last`, `id asc`) until an EMPTY page. Each page of ids
 * (last, max] settles our rows in that range, so memory stays flat.
 *
 * A row is marked deleted only after Odoo confirms it is gone: the candidates
 * are asked for by id (`id in [...]`, no limit). On Odoo 17, 18 and 19 a limited
 * search drops unreadable records after applying the limit
 * (`addons/mail/models/mail_message.py` `_search`), so a page can come back
 * empty while later records exist; without the confirmation, every row after
 * such a page would be marked deleted.
 * Internal: use `odoo-sync.ts`.
 */
import type { OdooClient } from "../odoo-client.ts";
import type { JobSpec } from "./jobs.ts";
import { loadReconciledAt, markDeleted, markReconciled, missingIds } from "./store.ts";
import type { IdRange } from "./store.ts";
import type { SyncMode, SyncOptions } from "./types.ts";

/** Ids per `search` call by default. Ids are small: 5000 fit in ~40 KB. */
const ID_PAGE = 5000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What a reconciliation needs. */
export interface ReconcileRun {
  options: SyncOptions;
  orgId: string;
  spec: JobSpec;
  now: () => Date;
  /** Epoch ms after which no new page is started. */
  deadline: number;
}

/**
 * True when this run reconciles: always in `full` mode; in `incremental` mode
 * when the last reconciliation is older than `reconcileEveryHours` (default 24)
 * or never happened, so each organization is reconciled once a day by the
 * ordinary cron runs, without a job of its own.
 *
 * @example
 * if (await reconcileDue(run, "incremental")) await reconcile(client, run);
 */
export async function reconcileDue(run: ReconcileRun, mode: SyncMode): Promise<boolean> {
  if (mode === "full") return true;
  const every = (run.options.reconcileEveryHours ?? 24) * DAY_MS / 24;
  const last = await loadReconciledAt(run.options.sql, { orgId: run.orgId, job: run.options.job });
  return last === null || run.now().getTime() - last.getTime() >= every;
}

/**
 * Walks Odoo's ids and marks our rows Odoo no longer has as deleted.
 *
 * @returns `deleted` rows marked, `complete` false when the deadline stopped it.
 * @example
 * const { deleted, complete } = await reconcile(client, { options, orgId, spec, now, deadline });
 */
export async function reconcile(
  client: OdooClient,
  run: ReconcileRun,
): Promise<{ deleted: number; complete: boolean }> {
  const { sql, job } = run.options;
  const base = { orgId: run.orgId, job, table: run.spec.table };
  const startedAt = run.now();
  let after = 0;
  let deleted = 0;
  for (;;) {
    if (run.now().getTime() > run.deadline) return { deleted, complete: false };
    const ids = await client.searchIds(
      run.spec.model,
      [...run.spec.baseDomain, ["id", ">", after]],
      {
        order: "id asc",
        limit: run.options.reconcilePageSize ?? ID_PAGE,
        context: { active_test: false },
      },
    );
    const upTo = ids.length === 0 ? null : Math.max(...ids);
    deleted += await confirmAndMark(client, run, { ...base, after, upTo, ids, at: startedAt });
    if (upTo === null) break;
    after = upTo;
  }
  await markReconciled(sql, { orgId: run.orgId, job }, startedAt);
  return { deleted, complete: true };
}

/** Marks the range's candidates that Odoo confirms gone (asked by id, no limit); returns how many. */
async function confirmAndMark(client: OdooClient, run: ReconcileRun, range: IdRange) {
  const size = run.options.reconcilePageSize ?? ID_PAGE;
  let deleted = 0;
  for (let after = range.after;;) {
    const candidates = await missingIds(run.options.sql, { ...range, after }, size);
    if (candidates.length === 0) return deleted;
    const alive = new Set(
      await client.searchIds(run.spec.model, [...run.spec.baseDomain, ["id", "in", candidates]], {
        context: { active_test: false },
      }),
    );
    const gone = candidates.filter((id) => !alive.has(id));
    deleted += await markDeleted(run.options.sql, { ...range, ids: gone, at: range.at });
    after = candidates[candidates.length - 1];
  }
}
