/**
 * The fake Odoo's model: record shapes, the field schema of the two models it
 * knows, the Python exceptions it answers with, and record storage. Internal
 * to `supabase/local/odoo.ts`, which re-exports the public types.
 *
 * @module
 */

/** A record in Odoo's JSON shape: many2one `[id, "name"]`, empty values `false`. */
export type OdooRecord = { id: number; [field: string]: unknown };

/** Models this server knows. */
export type OdooModelName = "crm.lead" | "mail.message" | "res.users";

/** Every model name, for loops over the store. */
export const MODELS: readonly OdooModelName[] = ["crm.lead", "mail.message", "res.users"];

export type FieldType = "integer" | "char" | "many2one" | "float" | "boolean" | "datetime";

/** The fields of each model and their Odoo types. */
export const FIELDS: Record<OdooModelName, Record<string, FieldType>> = {
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
  "res.users": {
    id: "integer",
    login: "char",
    name: "char",
    active: "boolean",
    write_date: "datetime",
  },
};

/** Models a many2one of this fake points to (they exist only as `[id, name]` pairs). */
export type OdooComodel = "crm.stage" | "res.users" | "res.partner" | "mail.message.subtype";

/** The comodel of each many2one field (`addons/crm/models/crm_lead.py`, `addons/mail/models/mail_message.py`). */
export const COMODELS: Record<OdooModelName, Record<string, OdooComodel>> = {
  "crm.lead": { stage_id: "crm.stage", user_id: "res.users" },
  "mail.message": { author_id: "res.partner", subtype_id: "mail.message.subtype" },
  "res.users": {},
};

/** A Python exception to be sent back as an Odoo error envelope. */
export class OdooFault extends Error {
  constructor(readonly odooName: string, message: string) {
    super(message);
  }
}

export const valueError = (message: string) => new OdooFault("builtins.ValueError", message);

/** Python-ish repr, for error messages that quote domains the way Odoo does. */
export function pyRepr(v: unknown, tuple = false): string {
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
export function odooDatetime(d: Date): string {
  return d.toISOString().slice(0, 19).replace("T", " ");
}

/**
 * A timestamp as PostgreSQL stores `write_date`: microseconds kept. Odoo sets
 * it from `cr.now()`, the transaction's start (`odoo/sql_db.py`, `Cursor.now`;
 * `odoo/models.py`, `_write` / `_create`).
 */
export function pgTimestamp(d: Date, micros = 0): string {
  const us = (d.getUTCMilliseconds() * 1000 + micros) % 1_000_000;
  return `${odooDatetime(d)}.${String(us).padStart(6, "0")}`;
}

/**
 * A stored value as `read` returns it (`odoo/fields.py`): a datetime is sent
 * to the second (`Datetime.to_string`, DATETIME_FORMAT), an empty integer as 0
 * (`Integer.convert_to_cache`: `int(value or 0)`), anything else as stored.
 */
export function readValue(type: FieldType, v: unknown): unknown {
  if (type === "datetime" && typeof v === "string") return v.slice(0, 19);
  if (type === "integer") return v === false || v === null || v === undefined ? 0 : v;
  return structuredClone(v);
}

/** A full record of `model`: every field present (missing ones `false`), values copied. */
export function normalise(model: OdooModelName, rec: Partial<OdooRecord>): OdooRecord {
  const out: Record<string, unknown> = {};
  for (const f of Object.keys(rec)) {
    if (!FIELDS[model][f]) throw new Error(`odoo: ${model} has no field ${f}`);
  }
  for (const f of Object.keys(FIELDS[model])) out[f] = structuredClone(rec[f] ?? false);
  return out as OdooRecord;
}

/** Replaces (or adds) `rec` in `store`; an updated row moves to the end, like a PostgreSQL heap. */
export function putRecord(store: OdooRecord[], rec: OdooRecord): void {
  const index = store.findIndex((r) => r.id === rec.id);
  if (index >= 0) store.splice(index, 1);
  store.push(rec);
}
