/**
 * The text of the files `./dev schemas` writes: each schema file, the rows a
 * migration inserts (as `insert ... on conflict do nothing`), and the folder's
 * README.md, its table of contents.
 */

/** The one call that schedules every cron job (..._cron_jobs_defined_once.sql). */
export const SCHEDULE_JOBS = "public.edge_guard_schedule_jobs()";

/** A schema file: a one-line header, then its statements in dependency order. */
export function fileText(name: string, statements: string[]): string {
  const head = `-- supabase/schemas/${name}: the current definition (README.md here; ` +
    `docs/database.md, "Declarative schemas").`;
  return `${head}\n\n${statements.join("\n\n")}\n`;
}

async function psql(url: string, query: string): Promise<string[]> {
  const out = await new Deno.Command("psql", {
    args: [url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", query],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`psql: ${new TextDecoder().decode(out.stderr).slice(-2000)}`);
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
}

/**
 * Per table (by its file stem) the inserts that recreate the rows the
 * migrations left in it. Columns that default to `now()` are left to their
 * default, so a row's timestamps are those of the database that applies it.
 *
 * @param rows `Catalog.rows` (`INSERT INTO schema.table ...` lines).
 */
export async function rowInserts(url: string, rows: string[]): Promise<Map<string, string[]>> {
  const tables = [...new Set(rows.map((r) => r.match(/^INSERT INTO (\w+\.\w+) /)?.[1] ?? ""))]
    .filter((t) => t !== "");
  const out = new Map<string, string[]>();
  for (const table of tables) {
    const cols = await psql(
      url,
      `select a.attname from pg_attribute a
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
       where a.attrelid = '${table}'::regclass and a.attnum > 0 and not a.attisdropped
         and a.attgenerated = '' and a.attidentity = ''
         and coalesce(pg_get_expr(d.adbin, d.adrelid), '') not like '%now()%'
       order by a.attnum`,
    );
    const values = cols.map((c) => `quote_nullable(${c}::text)`).join(", ");
    const inserts = await psql(
      url,
      `select format('INSERT INTO ${table} (${
        cols.join(", ")
      }) VALUES (%s) ON CONFLICT DO NOTHING;',
         concat_ws(', ', ${values})) from ${table} order by 1`,
    );
    out.set(table.replace(/^public\./, "").replace(".", "_"), inserts);
  }
  return out;
}

const AREAS: [number, string][] = [
  [0, "Schemas, extensions, queues"],
  [50, "Used by the tables' policies and checks"],
  [100, "Tables (each with its indexes, constraints, triggers, policies and grants)"],
  [3000, "Functions, by area"],
  [4000, "Views"],
  [5000, "Cron jobs"],
  [9000, "Not yet placed (scripts/_schema_split/plan.ts)"],
];

const OBJECT =
  /^(?:CREATE (?:TABLE|VIEW|FUNCTION|TRIGGER|POLICY|SCHEMA|EXTENSION IF NOT EXISTS) ("?[\w.]+"?)|SELECT pgmq\.create\('(\w+)'\))/;

/** The folder's README.md: every file by area, with the objects it creates. */
export function readme(files: [string, string[]][]): string {
  const lines = [
    "# supabase/schemas: the database's current shape",
    "",
    "One file per table (with its indexes, constraints, triggers, policies and grants) or per area",
    "of functions, numbered in dependency order: applying them in name order to a new project",
    "builds exactly what `supabase/migrations/` builds. The migrations are the history;",
    "`supabase/tests/schemas_test.ts` proves both reach the same catalog. How to change the",
    "database: [docs/database.md](../../docs/database.md#declarative-schemas).",
    "",
    "Written by `./dev schemas` (scripts/schema_split.ts) from the migrations; do not edit",
    "by hand without also writing the migration.",
  ];
  for (const [i, [from, title]] of AREAS.entries()) {
    const to = AREAS[i + 1]?.[0] ?? Infinity;
    const inArea = files.filter(([n]) =>
      Number(n.slice(0, 4)) >= from && Number(n.slice(0, 4)) < to
    );
    if (!inArea.length) continue;
    lines.push("", `## ${title}`, "");
    for (const [name, statements] of inArea) {
      const objects = [...new Set(statements.map((s) => s.match(OBJECT)?.slice(1).find(Boolean)))]
        .filter((o) => o !== undefined).map((o) => `\`${o!.replace(/^public\.|"/g, "")}\``);
      lines.push(`- [${name}](${name}): ${objects.join(", ") || "calls and rows"}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
