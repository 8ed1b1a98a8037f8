/**
 * Which file of `supabase/schemas/` each dump entry goes to: a table with its
 * sequences, defaults, constraints, indexes, triggers (and their trigger
 * function), row security, policies, comments and grants; functions by area;
 * views; the cron jobs. Files are numbered in dependency order.
 */
import type { DumpEntry } from "../../supabase/local/catalog.ts";

/** One file to write: its name (`0100_organizations.sql`) and entries in dump order. */
export interface PlannedFile {
  name: string;
  entries: DumpEntry[];
}

/**
 * Tables in the order they read best (by area), each after the tables its
 * foreign keys reference; a table's file number is its place here (x 100).
 */
export const TABLE_ORDER = [
  "organizations",
  "integration_credentials",
  "crm_leads",
  "crm_lead_messages",
  "sync_cursors",
  "sync_runs",
  "sync_org_state",
  "sync_queue_settings",
  "sync_workers",
  "sync_dispatch_settings",
  "bots",
  "bot_runs",
  "sla_policies",
  "sla_breaches",
  "cron_http_requests",
  "edge_guard_settings",
  "edge_guard_call_outcomes",
  "edge_guard_alerts",
];

/** Function areas, first match wins: `[file stem, number, pattern on schema.name]`. */
export const FUNCTION_AREAS: [string, number, RegExp][] = [
  // Policies and checks use them, so they precede the tables.
  ["current_org_id", 50, /^public\.current_org_id$/],
  ["sync_org_results_valid", 60, /^public\.sync_org_results_valid$/],
  // The cron job names: read by the watchdog's checks (3400) and the cron jobs (5000).
  ["cron_job_names", 3050, /^edge_guard\.cron_job_names$/],
  ["functions_credentials", 3100, /^public\.\w*integration_credential$/],
  [
    "functions_outbound_policy",
    3200,
    /^edge_guard\.(inet_aton_part|ipv4_of|address_class|outbound_refusal)$/,
  ],
  [
    "functions_odoo_sync",
    3300,
    /^public\.(sync_\w+|dispatch_odoo_sync|\w+_org_sync(_now)?|claim_sync_pass|tick_odoo_sync|\w+_sync_workers?)$/,
  ],
  [
    "functions_watchdog_checks",
    3400,
    /^(edge_guard\.(check_\w+|redact|plural|key_kind|calls|alert_\w+)|public\.edge_guard_findings)$/,
  ],
  ["functions_retention", 3600, /^(edge_guard\.prune_batch|public\.edge_guard_prune)$/],
  ["functions_watchdog", 3500, /^(edge_guard\.\w+|public\.edge_guard_watchdog)$/],
  ["cron_jobs", 5000, /^public\.edge_guard_schedule_jobs$/],
];
const OTHER_FUNCTIONS: [string, number] = ["functions_other", 3900];

const fnName = (e: DumpEntry, name: string) => `${e.schema}.${name.replace(/\(.*$/, "")}`;

/** The relation (`schema.name`) a table-attached entry belongs to, or undefined. */
function relationOf(e: DumpEntry, sequences: Map<string, string>): string | undefined {
  const first = e.name.split(" ")[0];
  switch (e.type) {
    case "TABLE":
    case "VIEW":
    case "ROW SECURITY":
      return `${e.schema}.${e.name}`;
    case "DEFAULT":
    case "CONSTRAINT":
    case "CHECK CONSTRAINT":
    case "FK CONSTRAINT":
    case "TRIGGER":
    case "POLICY":
      return `${e.schema}.${first}`;
    case "SEQUENCE":
      return e.sql.match(/(?:ALTER TABLE (?:ONLY )?|OWNED BY )(\w+\.\w+)/)?.[1];
    case "INDEX":
      return e.sql.match(/ ON (?:ONLY )?(\w+\.\w+)/)?.[1];
  }
  if (e.type === "ACL" || e.type === "COMMENT") {
    const m = e.name.match(/^(TABLE|VIEW|SEQUENCE|COLUMN) (\w+)/);
    if (!m) return undefined;
    const rel = `${e.schema}.${m[2]}`;
    return m[1] === "SEQUENCE" ? sequences.get(rel) ?? rel : rel;
  }
  return undefined;
}

/** `schema.name` of the function an entry defines or grants/comments on, or undefined. */
function functionOf(e: DumpEntry): string | undefined {
  if (e.type === "FUNCTION") return fnName(e, e.name);
  const m = e.name.match(/^FUNCTION (.*)$/);
  return (e.type === "ACL" || e.type === "COMMENT") && m ? fnName(e, m[1]) : undefined;
}

/** Trigger functions go with the one table whose trigger executes them. */
function triggerFunctions(entries: DumpEntry[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries.filter((e) => e.type === "TRIGGER")) {
    const fn = e.sql.match(/EXECUTE FUNCTION (\w+\.\w+)\(/)?.[1];
    if (fn) out.set(fn, `${e.schema}.${e.name.split(" ")[0]}`);
  }
  return out;
}

const rank = (rel: string) => {
  const i = TABLE_ORDER.indexOf(rel.replace(/^public\./, ""));
  return i < 0 ? TABLE_ORDER.length : i;
};

const referenced = (groups: Map<string, DumpEntry[]>, t: string) =>
  (groups.get(t) ?? []).filter((e) => e.type === "FK CONSTRAINT")
    .map((e) => e.sql.match(/REFERENCES (\w+\.\w+)\(/)?.[1] ?? "").filter((d) => d !== t);

/**
 * Each table's number: its place in TABLE_ORDER (`0100`, `0200`, ...), so a
 * new table does not renumber the others; a table not listed comes after
 * them, in foreign-key order. Throws when a table would precede one its
 * foreign keys reference (fix TABLE_ORDER).
 */
function numberTables(groups: Map<string, DumpEntry[]>, tables: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of tables.filter((t) => rank(t) < TABLE_ORDER.length)) {
    out.set(t, 100 * (rank(t) + 1));
  }
  const left = tables.filter((t) => !out.has(t)).sort();
  let next = 100 * (TABLE_ORDER.length + 1);
  while (left.length) {
    const i = left.findIndex((t) =>
      referenced(groups, t).every((d) => out.has(d) || !tables.includes(d))
    );
    out.set(left.splice(Math.max(i, 0), 1)[0], next);
    next += 100;
  }
  for (const t of tables) {
    for (const d of referenced(groups, t).filter((d) => tables.includes(d))) {
      if (out.get(d)! > out.get(t)!) {
        throw new Error(`${t} references ${d}, which would come after it: fix TABLE_ORDER`);
      }
    }
  }
  return out;
}

const four = (n: number) => String(n).padStart(4, "0");

/**
 * Groups entries into numbered files. Entries of no known group go to
 * `9000_other.sql`, so nothing is lost; review them.
 *
 * @example
 * planFiles(parseDump(dump)).map((f) => f.name);
 * // ["0000_schemas.sql", "0050_current_org_id.sql", "0100_organizations.sql", ...]
 */
export function planFiles(entries: DumpEntry[]): PlannedFile[] {
  const sequences = new Map<string, string>();
  for (const e of entries.filter((e) => e.type === "SEQUENCE")) {
    const rel = relationOf(e, sequences);
    if (rel) sequences.set(`${e.schema}.${e.name}`, rel);
  }
  const triggers = triggerFunctions(entries);
  const views = new Set(
    entries.filter((e) => e.type === "VIEW").map((e) => `${e.schema}.${e.name}`),
  );
  const groups = new Map<string, DumpEntry[]>();
  const add = (key: string, e: DumpEntry) => groups.set(key, [...(groups.get(key) ?? []), e]);
  for (const e of entries) add(groupOf(e, sequences, triggers), e);

  const files: PlannedFile[] = [];
  const stem = (rel: string) => rel.replace(/^public\./, "").replace(".", "_");
  const tables = [...groups.keys()].filter((k) => k.includes(".") && !views.has(k));
  for (const [t, n] of numberTables(groups, tables)) {
    files.push({ name: `${four(n)}_${stem(t)}.sql`, entries: groups.get(t)! });
  }
  [...views].sort().forEach((v, i) =>
    files.push({ name: `${four(4100 + 100 * i)}_${stem(v)}.sql`, entries: groups.get(v)! })
  );
  for (const [key, list] of groups) {
    const area = key.match(/^area:(\d+):(.*)$/);
    if (area) files.push({ name: `${four(Number(area[1]))}_${area[2]}.sql`, entries: list });
  }
  return files.map((f) => ({ ...f, entries: callsFirst(f.entries) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Dump order, except that an entry follows every function of its file it
 * calls: PostgreSQL checks a `language sql` body when it is created.
 */
function callsFirst(entries: DumpEntry[]): DumpEntry[] {
  const fns = entries.filter((e) => e.type === "FUNCTION");
  const calls = (e: DumpEntry) =>
    fns.filter((f) =>
      f !== e && e.sql.includes(`${fnName(f, f.name)}(`) &&
      !functionOf(e)?.startsWith(fnName(f, f.name))
    );
  const out: DumpEntry[] = [];
  const visit = (e: DumpEntry, path: Set<DumpEntry>) => {
    if (out.includes(e) || path.has(e)) return;
    path.add(e);
    for (const f of calls(e)) visit(f, path);
    out.push(e);
  };
  for (const e of entries) visit(e, new Set());
  return out;
}

function groupOf(e: DumpEntry, sequences: Map<string, string>, triggers: Map<string, string>) {
  if (e.type === "SCHEMA" || /^SCHEMA /.test(e.name) || e.type === "DEFAULT ACL") {
    return "area:0:schemas";
  }
  const rel = relationOf(e, sequences);
  if (rel) return rel;
  const fn = functionOf(e);
  if (fn) {
    if (triggers.has(fn)) return triggers.get(fn)!;
    const [stem, n] = FUNCTION_AREAS.find(([, , re]) => re.test(fn)) ?? OTHER_FUNCTIONS;
    return `area:${n}:${stem}`;
  }
  return "area:9000:other";
}
