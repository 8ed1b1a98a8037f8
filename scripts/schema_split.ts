/**
 * `./dev schemas`: writes `supabase/schemas/` from the migrations. Starts a
 * throwaway cluster, applies the platform (roles, extensions, Auth) and dumps
 * it, applies the migrations and dumps again, and splits what the migrations
 * added (`pg_dump --schema-only` entries, by their `-- Name: ...; Type: ...`
 * headers) into one file per table (with its indexes, constraints, triggers,
 * policies and grants) or per area of functions, numbered in dependency order
 * (scripts/_schema_split/plan.ts), plus the rows the migrations insert
 * (settings), the pgmq queues and the call that schedules the cron jobs. Also
 * writes the folder's README.md (its table of contents). Review the diff: the
 * house test (supabase/tests/schemas_test.ts) then proves schemas = migrations.
 * docs/database.md, "Declarative schemas".
 *
 * @module
 */
import { startCluster } from "../supabase/local/cluster.ts";
import { applyPlatform, applyProject } from "../supabase/local/apply.ts";
import { entryKey, readCatalog } from "../supabase/local/catalog.ts";
import { planFiles } from "./_schema_split/plan.ts";
import { revokeDefaults } from "./_schema_split/privileges.ts";
import { fileText, readme, rowInserts, SCHEDULE_JOBS } from "./_schema_split/write.ts";

const DIR = new URL("../supabase/schemas/", import.meta.url).pathname;

await Deno.mkdir(DIR, { recursive: true });
const cluster = await startCluster();
try {
  await applyPlatform(cluster.url);
  const base = await readCatalog(cluster.url);
  await applyProject(cluster.url);
  const catalog = await readCatalog(cluster.url);
  const known = new Set(base.entries.map((e) => `${entryKey(e)}\n${e.sql}`));
  const added = catalog.entries.filter((e) => !known.has(`${entryKey(e)}\n${e.sql}`));
  const files = planFiles(revokeDefaults(added, base.entries));
  const extensions = catalog.extensions.filter((x) => !base.extensions.includes(x));
  const texts = new Map<string, string[]>();
  for (const f of files) texts.set(f.name, f.entries.map((e) => e.sql));
  const first = files[0]?.name ?? "0000_schemas.sql";
  texts.set(first, [
    ...extensions.map((x) => {
      const [name, , schema] = x.split(" ");
      // An extension in a schema of its own name (pgmq) creates that schema itself.
      const where = schema === name ? "" : ` WITH SCHEMA ${schema}`;
      return `CREATE EXTENSION IF NOT EXISTS "${name}"${where};`;
    }),
    ...(texts.get(first) ?? []),
  ]);
  if (catalog.queues.length) {
    texts.set(
      "0010_pgmq_queues.sql",
      catalog.queues.map((q) => `SELECT pgmq.create('${q.split(" ")[0]}');`),
    );
  }
  for (const [name, inserts] of await rowInserts(cluster.url, catalog.rows)) {
    const file = [...texts.keys()].find((f) => f.endsWith(`_${name}.sql`));
    if (!file) throw new Error(`rows of ${name} but no file for its table`);
    texts.get(file)!.push(...inserts);
  }
  const cron = [...texts.keys()].find((f) => f.endsWith("_cron_jobs.sql"));
  if (catalog.cronJobs.length) {
    if (!cron) throw new Error(`cron jobs exist but nothing defines them (${SCHEDULE_JOBS})`);
    texts.get(cron)!.push(`SELECT ${SCHEDULE_JOBS};`);
  }
  for (const e of Deno.readDirSync(DIR)) {
    if (e.name.endsWith(".sql")) Deno.removeSync(`${DIR}${e.name}`);
  }
  const names = [...texts.keys()].sort();
  for (const name of names) {
    Deno.writeTextFileSync(`${DIR}${name}`, fileText(name, texts.get(name)!));
  }
  Deno.writeTextFileSync(`${DIR}README.md`, readme(names.map((n) => [n, texts.get(n)!])));
  console.log(`wrote ${names.length} files to supabase/schemas/`);
  if (names.some((n) => n.endsWith("_other.sql") || n.endsWith("_functions_other.sql"))) {
    console.warn("some objects have no area: see *_other.sql and scripts/_schema_split/plan.ts");
  }
} finally {
  await cluster.stop();
}
