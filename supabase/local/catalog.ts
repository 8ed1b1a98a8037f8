/**
 * The project's catalog as a comparable value: what the migrations (or the
 * declared schemas, `supabase/schemas/`) leave in a database, read back by
 * `pg_dump --schema-only` and a few catalog queries. Two databases built from
 * the same SQL have equal catalogs; the house test (supabase/tests/schemas_test.ts)
 * and `scripts/schema_split.ts` use it. Local stack and tests only.
 */
import { type DumpEntry, entryKey, parseDump } from "./_catalog/dump.ts";

export type { DumpEntry } from "./_catalog/dump.ts";
export { entryKey } from "./_catalog/dump.ts";

/** What a database holds of the project, normalized for comparison. */
export interface Catalog {
  /** Schemas pg_dump is restricted to: `public` and those the platform does not create. */
  schemas: string[];
  /** pg_dump's entries of those schemas (ownership left out), in dump order. */
  entries: DumpEntry[];
  /** Rows the SQL itself inserts (settings), timestamps blanked: `table: row` lines. */
  rows: string[];
  /** `name version schema` of every extension. */
  extensions: string[];
  /** `jobname | schedule | command | active` of every pg_cron job. */
  cronJobs: string[];
  /** pgmq queues (`name partitioned unlogged`), when pgmq is installed. */
  queues: string[];
}

/** Schemas the platform (roles script, extensions, Auth) owns; never the project's. */
const PLATFORM =
  /^(pg_.*|information_schema|auth|cron|net|vault|extensions|pgmq|graphql.*|realtime|storage|supabase_.*)$/;

async function psql(url: string, query: string): Promise<string[]> {
  const out = await new Deno.Command("psql", {
    args: [url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", query],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`psql: ${new TextDecoder().decode(out.stderr).slice(-2000)}`);
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
}

async function pgDump(url: string, args: string[]): Promise<string> {
  const out = await new Deno.Command("pg_dump", {
    args: [...args, url],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  if (!out.success) {
    throw new Error(`pg_dump: ${new TextDecoder().decode(out.stderr).slice(-2000)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

const TIMESTAMP = /\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d(:\d\d)?)?/g;

async function projectRows(url: string, schemas: string[]): Promise<string[]> {
  const dump = await pgDump(url, [
    "--data-only",
    "--inserts",
    ...schemas.flatMap((s) => ["-n", s]),
  ]);
  return dump.split("\n").filter((l) => l.startsWith("INSERT INTO "))
    .map((l) => l.replace(TIMESTAMP, "<timestamp>"));
}

/**
 * Reads the project's catalog from the database at `url` (read-only).
 *
 * @example
 * const a = await readCatalog(migrated.url), b = await readCatalog(declared.url);
 * catalogDifferences(a, b); // [] when the schemas match the migrations
 */
export async function readCatalog(url: string): Promise<Catalog> {
  const schemas = (await psql(url, "select nspname from pg_namespace order by 1"))
    .filter((s) => s === "public" || !PLATFORM.test(s));
  const dump = await pgDump(url, ["--schema-only", ...schemas.flatMap((s) => ["-n", s])]);
  const has = async (ext: string) =>
    (await psql(url, `select 1 from pg_extension where extname = '${ext}'`)).length > 0;
  return {
    schemas,
    entries: parseDump(dump),
    rows: await projectRows(url, schemas),
    extensions: await psql(
      url,
      "select extname || ' ' || extversion || ' ' || extnamespace::regnamespace from pg_extension order by 1",
    ),
    cronJobs: !(await has("pg_cron")) ? [] : await psql(
      url,
      "select concat_ws(' | ', jobname, schedule, command, active, username) from cron.job order by jobname",
    ),
    queues: await has("pgmq")
      ? await psql(
        url,
        "select concat_ws(' ', queue_name, is_partitioned, is_unlogged) from pgmq.meta order by 1",
      )
      : [],
  };
}

/** The lines only one side has: `- ` only in the first, `+ ` only in the second. */
function lineDiff(key: string, a: string, b: string, names: [string, string]): string {
  const la = a.split("\n"), lb = b.split("\n");
  return [
    `${key} differs (- ${names[0]}, + ${names[1]}):`,
    ...la.filter((l) => !lb.includes(l)).map((l) => `- ${l}`),
    ...lb.filter((l) => !la.includes(l)).map((l) => `+ ${l}`),
  ].join("\n");
}

function listDifferences(what: string, a: string[], b: string[], names: [string, string]) {
  const out: string[] = [];
  for (const x of a) if (!b.includes(x)) out.push(`${what} only in ${names[0]}: ${x}`);
  for (const x of b) if (!a.includes(x)) out.push(`${what} only in ${names[1]}: ${x}`);
  return out;
}

/**
 * Every difference between two catalogs, one line each (empty when equal):
 * an object only one side has, an object whose SQL differs (both shown), a
 * differing extension, settings row, cron job or queue.
 *
 * @param names how to call the two sides in the lines. Default `["a", "b"]`.
 * @example
 * catalogDifferences(a, b, ["migrations", "schemas"]);
 * // ["TABLE public.bots differs (- migrations, + schemas):\n-     note text,"]
 */
export function catalogDifferences(
  a: Catalog,
  b: Catalog,
  names: [string, string] = ["a", "b"],
): string[] {
  const out = listDifferences("schema", a.schemas, b.schemas, names);
  const bByKey = new Map(b.entries.map((e) => [entryKey(e), e]));
  const aKeys = new Set(a.entries.map(entryKey));
  for (const e of a.entries) {
    const other = bByKey.get(entryKey(e));
    if (!other) out.push(`${entryKey(e)} only in ${names[0]}:\n${e.sql}`);
    else if (other.sql !== e.sql) out.push(lineDiff(entryKey(e), e.sql, other.sql, names));
  }
  for (const e of b.entries) {
    if (!aKeys.has(entryKey(e))) out.push(`${entryKey(e)} only in ${names[1]}:\n${e.sql}`);
  }
  out.push(...listDifferences("row", a.rows, b.rows, names));
  out.push(...listDifferences("extension", a.extensions, b.extensions, names));
  out.push(...listDifferences("cron job", a.cronJobs, b.cronJobs, names));
  out.push(...listDifferences("pgmq queue", a.queues, b.queues, names));
  return out;
}
