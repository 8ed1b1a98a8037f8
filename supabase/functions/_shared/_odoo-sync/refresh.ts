/**
 * The full refresh: every record's values read again, by id, so what Odoo
 * changes without writing the record is repaired (issue 25). Two examples from
 * Odoo's source: the daily scheduled action of predictive lead scoring,
 * `crm.lead._update_automated_probabilities` (`addons/crm/models/crm_lead.py`),
 * sets `automated_probability` and `probability` with a raw SQL `UPDATE`,
 * leaving `write_date` alone; and a renamed stage or salesperson changes the
 * name a lead's many2one shows without writing the lead. No walk by
 * `write_date` can see either.
 *
 * Paged by id (`id > last`, `id asc`, archived included) until an EMPTY page;
 * each page's upsert and the refresh's position are one transaction, so a run
 * stopped by its deadline is continued by the next one from there. The upsert
 * writes only rows whose values differ. When the walk ends, `refreshed_at`
 * records when it started: the queue tick's `public.sync_full_refresh_due`
 * reads it to schedule the next one. Internal: use `odoo-sync.ts`.
 */
import { asServiceRole, type Sql } from "../db.ts";
import type { OdooClient } from "../odoo-client.ts";
import { type JobSpec, pageJson } from "./jobs.ts";
import type { Progress } from "./progress.ts";
import type { OrgJob } from "./store.ts";
import type { SyncCounts, SyncOptions } from "./types.ts";

/** What a refresh needs. */
export interface RefreshRun {
  options: SyncOptions;
  orgId: string;
  spec: JobSpec;
  now: () => Date;
  /** Epoch ms after which no new page is started. */
  deadline: number;
}

/** One page of a refresh: its rows, and the last id it covers. */
interface RefreshPage extends OrgJob {
  spec: JobSpec;
  rowsJson: string;
  lastId: number;
  startedAt: Date;
}

/** Stores a page and the refresh's position in one transaction; returns rows written. */
function commitRefreshPage(sql: Sql, page: RefreshPage): Promise<number> {
  const { spec, orgId, job, rowsJson, lastId, startedAt } = page;
  return asServiceRole(sql, async (tx) => {
    const written = await spec.upsert(tx, orgId, rowsJson);
    await tx`
      insert into public.sync_cursors (org_id, job, refresh_after_id, refresh_started_at)
      values (${orgId}::uuid, ${job}, ${lastId}, ${startedAt})
      on conflict (org_id, job) do update set refresh_after_id = excluded.refresh_after_id,
        refresh_started_at = excluded.refresh_started_at`;
    return written;
  });
}

/** Records a finished refresh (`refreshed_at` = when it started). */
async function finishRefresh(sql: Sql, { orgId, job }: OrgJob, startedAt: Date): Promise<void> {
  await asServiceRole(sql, (tx) =>
    tx`
      insert into public.sync_cursors (org_id, job, refreshed_at)
      values (${orgId}::uuid, ${job}, ${startedAt})
      on conflict (org_id, job) do update set refreshed_at = excluded.refreshed_at,
        refresh_after_id = null, refresh_started_at = null`);
}

/**
 * Continues (or starts) the organization's full refresh until its end or the
 * deadline. Adds to `counts` what it read, wrote and committed.
 *
 * @returns true when the refresh reached its end, false when the deadline stopped it.
 * @example
 * const done = await refresh(client, { options, orgId, spec, now, deadline }, progress, counts);
 */
export async function refresh(
  client: OdooClient,
  run: RefreshRun,
  progress: Pick<Progress, "refreshAfterId" | "refreshStartedAt">,
  counts: SyncCounts,
): Promise<boolean> {
  const { sql, job, pageSize } = run.options;
  const { orgId, spec } = run;
  const startedAt = progress.refreshStartedAt ?? run.now();
  let after = progress.refreshAfterId ?? 0;
  for (;;) {
    if (run.now().getTime() > run.deadline) return false;
    const rows = await client.searchRead(spec.model, [...spec.baseDomain, ["id", ">", after]], {
      fields: spec.fields,
      order: "id asc",
      limit: pageSize ?? 500,
      context: { active_test: false },
    });
    counts.fetched += rows.length;
    // Only an empty page ends the walk (mail.message drops unreadable rows after the LIMIT).
    if (rows.length === 0) break;
    const rowsJson = pageJson(spec, rows);
    const lastId = Math.max(...rows.map((r) => r.id as number));
    counts.upserted += await commitRefreshPage(sql, {
      spec,
      orgId,
      job,
      rowsJson,
      lastId,
      startedAt,
    });
    counts.pages++;
    after = lastId;
  }
  await finishRefresh(sql, { orgId, job }, startedAt);
  return true;
}
