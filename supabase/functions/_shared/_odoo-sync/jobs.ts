/**
 * What each sync job reads from Odoo and how a record becomes a row.
 * Internal: use `odoo-sync.ts`.
 */
import type { Tx } from "../db.ts";
import { many2one, OdooError, odooValue, parseOdooDatetime } from "../odoo-client.ts";
import type { SyncJob } from "./types.ts";

/** An Odoo record as `search_read` returns it. */
export type OdooRow = Record<string, unknown>;

/** One job: the Odoo model and domain, the row mapping and the upsert. */
export interface JobSpec {
  model: "crm.lead" | "mail.message";
  fields: string[];
  /** Always part of the domain (before the cursor condition). */
  baseDomain: unknown[];
  /** Our table, for reconciliation. */
  table: "crm_leads" | "crm_lead_messages";
  /** Maps one record to the columns of its table (plus `raw`). Throws OdooError on a bad value. */
  map(rec: OdooRow): Record<string, unknown>;
  /** Upserts mapped rows of one org; returns how many rows were written. */
  upsert(tx: Tx, orgId: string, rowsJson: string): Promise<number>;
}

const text = (v: unknown) => {
  const s = odooValue(v as string | false);
  return typeof s === "string" ? s : null;
};
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
const instant = (v: unknown) =>
  v === undefined || v === null ? null : parseOdooDatetime(v as string | false)?.toISOString() ??
    null;

function mapLead(r: OdooRow): Record<string, unknown> {
  const stage = many2one(r.stage_id);
  const user = many2one(r.user_id);
  return {
    odoo_id: r.id,
    name: text(r.name),
    partner_name: text(r.partner_name),
    email_from: text(r.email_from),
    stage_id: stage?.id ?? null,
    stage_name: stage?.name ?? null,
    user_id: user?.id ?? null,
    user_name: user?.name ?? null,
    probability: num(r.probability),
    expected_revenue: num(r.expected_revenue),
    // Boolean field: `false` is a value here (archived), not "empty".
    active: r.active !== false,
    create_date: instant(r.create_date),
    write_date: instant(r.write_date),
    raw: r,
  };
}

function mapMessage(r: OdooRow): Record<string, unknown> {
  const author = many2one(r.author_id);
  const subtype = many2one(r.subtype_id);
  if (!Number.isInteger(r.res_id)) throw new TypeError("res_id is not an id");
  return {
    odoo_id: r.id,
    res_id: r.res_id,
    body: text(r.body),
    author_id: author?.id ?? null,
    author_name: author?.name ?? null,
    message_type: text(r.message_type),
    subtype: subtype?.name ?? null,
    date: instant(r.date),
    write_date: instant(r.write_date),
    raw: r,
  };
}

// A row is only replaced by a version at least as new, so two overlapping runs
// (cron and "sync now") cannot put an older copy back; and only when something
// changed, so re-reading the overlap window rewrites nothing that is already
// stored (no dead tuples, no WAL). A row seen again is no longer deleted.
async function upsertLeads(tx: Tx, orgId: string, rowsJson: string): Promise<number> {
  const result = await tx`
    insert into public.crm_leads as t (org_id, odoo_id, name, partner_name, email_from,
      stage_id, stage_name, user_id, user_name, probability, expected_revenue, active,
      create_date, write_date, raw, synced_at)
    select ${orgId}::uuid, r.odoo_id, r.name, r.partner_name, r.email_from, r.stage_id,
      r.stage_name, r.user_id, r.user_name, r.probability, r.expected_revenue, r.active,
      r.create_date, r.write_date, r.raw, now()
    from jsonb_to_recordset(${rowsJson}::text::jsonb) as r(odoo_id bigint, name text,
      partner_name text, email_from text, stage_id bigint, stage_name text, user_id bigint,
      user_name text, probability numeric, expected_revenue numeric, active boolean,
      create_date timestamptz, write_date timestamptz, raw jsonb)
    on conflict (org_id, odoo_id) do update set name = excluded.name,
      partner_name = excluded.partner_name, email_from = excluded.email_from,
      stage_id = excluded.stage_id, stage_name = excluded.stage_name,
      user_id = excluded.user_id, user_name = excluded.user_name,
      probability = excluded.probability, expected_revenue = excluded.expected_revenue,
      active = excluded.active, create_date = excluded.create_date,
      write_date = excluded.write_date, raw = excluded.raw, synced_at = excluded.synced_at,
      deleted_at = null
    where (t.write_date is null or excluded.write_date is null
        or excluded.write_date >= t.write_date)
      and (t.deleted_at is not null or (t.name, t.partner_name, t.email_from, t.stage_id,
        t.stage_name, t.user_id, t.user_name, t.probability, t.expected_revenue, t.active,
        t.create_date, t.write_date, t.raw) is distinct from (excluded.name,
        excluded.partner_name, excluded.email_from, excluded.stage_id, excluded.stage_name,
        excluded.user_id, excluded.user_name, excluded.probability, excluded.expected_revenue,
        excluded.active, excluded.create_date, excluded.write_date, excluded.raw))`;
  return result.count;
}

async function upsertMessages(tx: Tx, orgId: string, rowsJson: string): Promise<number> {
  const result = await tx`
    insert into public.crm_lead_messages as t (org_id, odoo_id, res_id, body, author_id,
      author_name, message_type, subtype, date, write_date, raw, synced_at)
    select ${orgId}::uuid, r.odoo_id, r.res_id, r.body, r.author_id, r.author_name,
      r.message_type, r.subtype, r.date, r.write_date, r.raw, now()
    from jsonb_to_recordset(${rowsJson}::text::jsonb) as r(odoo_id bigint, res_id bigint, body text,
      author_id bigint, author_name text, message_type text, subtype text, date timestamptz,
      write_date timestamptz, raw jsonb)
    on conflict (org_id, odoo_id) do update set res_id = excluded.res_id, body = excluded.body,
      author_id = excluded.author_id, author_name = excluded.author_name,
      message_type = excluded.message_type, subtype = excluded.subtype, date = excluded.date,
      write_date = excluded.write_date, raw = excluded.raw, synced_at = excluded.synced_at,
      deleted_at = null
    where (t.write_date is null or excluded.write_date is null
        or excluded.write_date >= t.write_date)
      and (t.deleted_at is not null or (t.res_id, t.body, t.author_id, t.author_name,
        t.message_type, t.subtype, t.date, t.write_date, t.raw) is distinct from
        (excluded.res_id, excluded.body, excluded.author_id, excluded.author_name,
        excluded.message_type, excluded.subtype, excluded.date, excluded.write_date, excluded.raw))`;
  return result.count;
}

const JOBS: Readonly<Record<SyncJob, JobSpec>> = {
  crm: {
    model: "crm.lead",
    fields: [
      "name",
      "partner_name",
      "email_from",
      "stage_id",
      "user_id",
      "probability",
      "expected_revenue",
      "active",
      "create_date",
      "write_date",
    ],
    // Mentioning `active` turns off Odoo's active_test, so archived leads are synced too.
    baseDomain: [["active", "in", [true, false]]],
    table: "crm_leads",
    map: mapLead,
    upsert: upsertLeads,
  },
  chatter: {
    model: "mail.message",
    fields: [
      "model",
      "res_id",
      "body",
      "author_id",
      "message_type",
      "subtype_id",
      "date",
      "write_date",
    ],
    baseDomain: [["model", "=", "crm.lead"], ["res_id", "!=", false]],
    table: "crm_lead_messages",
    map: mapMessage,
    upsert: upsertMessages,
  },
};

/**
 * The spec of `job`.
 *
 * @example
 * jobSpec("chatter").model; // "mail.message"
 */
export function jobSpec(job: SyncJob): JobSpec {
  return JOBS[job];
}

/**
 * Maps a page to JSON for the upsert (one row per id, the last wins); an
 * unexpected Odoo value becomes an OdooError naming the record.
 *
 * @example
 * const rowsJson = pageJson(jobSpec("crm"), await client.searchRead("crm.lead", [], opts));
 */
export function pageJson(spec: JobSpec, rows: OdooRow[]): string {
  const byId = new Map<unknown, Record<string, unknown>>();
  for (const rec of rows) {
    try {
      if (!Number.isInteger(rec.id)) throw new TypeError("id is not an integer");
      byId.set(rec.id, spec.map(rec));
    } catch (err) {
      const why = err instanceof Error ? err.message : "bad value";
      throw new OdooError(`${spec.model} record ${String(rec.id)}: unexpected value: ${why}`);
    }
  }
  return JSON.stringify([...byId.values()]);
}
