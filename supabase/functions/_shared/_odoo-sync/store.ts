/**
 * The sync's database work, always as `service_role` and always scoped by the
 * organization id as a SQL parameter. Internal: use `odoo-sync.ts`.
 */
import { asServiceRole, type Sql } from "../db.ts";
import type { OdooConnection } from "../odoo-client.ts";
import type { JobSpec } from "./jobs.ts";
import type { Cursor, SyncJob } from "./types.ts";

/**
 * Organizations with an `odoo` credential, least recently synced first, so a
 * run cut short by its deadline does not starve the same organizations again.
 *
 * @example
 * const orgIds = await listOdooOrgs(sql, "crm");
 */
export async function listOdooOrgs(sql: Sql, job: SyncJob): Promise<string[]> {
  const rows = await asServiceRole(sql, (tx) =>
    tx<{ org_id: string }[]>`
      select c.org_id from public.integration_credentials c
      left join public.sync_cursors s on s.org_id = c.org_id and s.job = ${job}
      where c.integration_type = 'odoo'
      order by s.updated_at asc nulls first, c.org_id`);
  return rows.map((r) => r.org_id);
}

/**
 * The org's Odoo connection, or the names of what is missing (never values).
 *
 * @example
 * const credential = await loadCredential(sql, orgId);
 * if ("missing" in credential) console.error(credential.missing);
 */
export async function loadCredential(
  sql: Sql,
  orgId: string,
): Promise<{ conn: OdooConnection } | { missing: string[] }> {
  const rows = await asServiceRole(
    sql,
    (tx) =>
      tx<
        {
          base_url: string | null;
          database_name: string | null;
          login: string | null;
          secret: string | null;
        }[]
      >`
      select base_url, database_name, login, secret
      from public.get_integration_credential(${orgId}::uuid, 'odoo')`,
  );
  if (rows.length === 0) return { missing: ["credential"] };
  const r = rows[0];
  const fields = { base_url: r.base_url, database_name: r.database_name, login: r.login };
  const missing = Object.entries({ ...fields, secret: r.secret })
    .filter(([, v]) => typeof v !== "string" || v.trim() === "")
    .map(([k]) => k);
  if (missing.length) return { missing };
  return {
    conn: { baseUrl: r.base_url!, db: r.database_name!, login: r.login!, apiKey: r.secret! },
  };
}

/** An organization's job. */
export interface OrgJob {
  orgId: string;
  job: SyncJob;
}

/**
 * The saved cursor of (org, job), or null.
 *
 * @example
 * const cursor = await loadCursor(sql, { orgId, job: "crm" });
 */
export async function loadCursor(sql: Sql, { orgId, job }: OrgJob): Promise<Cursor | null> {
  const rows = await asServiceRole(
    sql,
    (tx) =>
      tx<{ cursor_write_date: Date | null; cursor_id: string | null }[]>`
      select cursor_write_date, cursor_id from public.sync_cursors
      where org_id = ${orgId}::uuid and job = ${job}`,
  );
  const r = rows[0];
  if (!r?.cursor_write_date) return null;
  return { writeDate: r.cursor_write_date, id: Number(r.cursor_id ?? 0) };
}

/** One page to store: rows as JSON (see `pageJson`) and the cursor after them. */
export interface PageWrite extends OrgJob {
  spec: JobSpec;
  rowsJson: string;
  cursor: Cursor | null;
  /** When the pass this page belongs to started: the page's cursor is then also the pass's position. */
  passStartedAt?: Date;
}

/**
 * Stores one page: the rows, the cursor advance and the pass's position in ONE
 * transaction, so a crash leaves either all or none. The cursor (the furthest
 * position ever stored) never moves back (re-reading the overlap passes older
 * positions); the pass position is where the next run continues this pass.
 * Returns the number of rows written.
 *
 * @example
 * const written = await commitPage(sql, { spec, orgId, job: "crm", rowsJson, cursor, passStartedAt });
 */
export function commitPage(sql: Sql, page: PageWrite): Promise<number> {
  const { spec, orgId, job, rowsJson, cursor } = page;
  const pass = page.passStartedAt ?? null;
  return asServiceRole(sql, async (tx) => {
    const written = await spec.upsert(tx, orgId, rowsJson);
    if (cursor !== null) {
      await tx`
        insert into public.sync_cursors (org_id, job, cursor_write_date, cursor_id, updated_at,
          pass_write_date, pass_id, pass_started_at)
        values (${orgId}::uuid, ${job}, ${cursor.writeDate}, ${cursor.id}, now(),
          ${pass && cursor.writeDate}, ${pass && cursor.id}, ${pass})
        on conflict (org_id, job) do update set
          cursor_write_date = greatest(sync_cursors.cursor_write_date, excluded.cursor_write_date),
          cursor_id = case
            when sync_cursors.cursor_write_date is null
              or excluded.cursor_write_date > sync_cursors.cursor_write_date then excluded.cursor_id
            when excluded.cursor_write_date = sync_cursors.cursor_write_date
              then greatest(sync_cursors.cursor_id, excluded.cursor_id)
            else sync_cursors.cursor_id end,
          pass_write_date = case when ${pass !== null} then excluded.pass_write_date
            else sync_cursors.pass_write_date end,
          pass_id = case when ${pass !== null} then excluded.pass_id else sync_cursors.pass_id end,
          pass_started_at = coalesce(excluded.pass_started_at, sync_cursors.pass_started_at),
          updated_at = excluded.updated_at`;
    }
    return written;
  });
}

/**
 * When (org, job) was last reconciled, or null.
 *
 * @example
 * const last = await loadReconciledAt(sql, { orgId, job: "crm" });
 */
export async function loadReconciledAt(sql: Sql, { orgId, job }: OrgJob): Promise<Date | null> {
  const rows = await asServiceRole(sql, (tx) =>
    tx<{ reconciled_at: Date | null }[]>`
      select reconciled_at from public.sync_cursors
      where org_id = ${orgId}::uuid and job = ${job}`);
  return rows[0]?.reconciled_at ?? null;
}

/** One page of Odoo's ids: every id Odoo has in (`after`, `upTo`]; `upTo` null = no upper end. */
export interface IdRange extends OrgJob {
  table: "crm_leads" | "crm_lead_messages";
  after: number;
  upTo: number | null;
  ids: number[];
  at: Date;
}

/**
 * Our live rows in the range whose ids are not in `ids` (Odoo's page): the
 * candidates for deletion, at most `limit`, from `after` up, in id order.
 *
 * @example
 * const gone = await missingIds(sql, { orgId, job: "crm", table: "crm_leads", after: 0, upTo: 500, ids, at: now }, 5000);
 */
export async function missingIds(sql: Sql, r: IdRange, limit: number): Promise<number[]> {
  const ids = `{${r.ids.join(",")}}`;
  const rows = await asServiceRole(sql, (tx) =>
    tx<{ odoo_id: string }[]>`
      select odoo_id from ${tx("public." + r.table)}
      where org_id = ${r.orgId}::uuid and deleted_at is null
        and odoo_id > ${r.after} and (${r.upTo}::bigint is null or odoo_id <= ${r.upTo})
        and odoo_id <> all(${ids}::bigint[])
      order by odoo_id limit ${limit}`);
  return rows.map((row) => Number(row.odoo_id));
}

/**
 * Marks the given rows of (org, table) deleted (`deleted_at`); returns how many.
 *
 * @example
 * await markDeleted(sql, { orgId, table: "crm_leads", ids: [7, 9], at: now });
 */
export async function markDeleted(
  sql: Sql,
  r: { orgId: string; table: IdRange["table"]; ids: number[]; at: Date },
): Promise<number> {
  if (r.ids.length === 0) return 0;
  const result = await asServiceRole(sql, (tx) =>
    tx`
      update ${tx("public." + r.table)} set deleted_at = ${r.at}
      where org_id = ${r.orgId}::uuid and deleted_at is null
        and odoo_id = any(${`{${r.ids.join(",")}}`}::bigint[])`);
  return result.count;
}

/**
 * Records a finished reconciliation of (org, job).
 *
 * @example
 * await markReconciled(sql, { orgId, job: "crm" }, new Date());
 */
export async function markReconciled(sql: Sql, { orgId, job }: OrgJob, at: Date): Promise<void> {
  await asServiceRole(sql, (tx) =>
    tx`
      insert into public.sync_cursors (org_id, job, reconciled_at, updated_at)
      values (${orgId}::uuid, ${job}, ${at}, now())
      on conflict (org_id, job) do update set reconciled_at = excluded.reconciled_at`);
}
