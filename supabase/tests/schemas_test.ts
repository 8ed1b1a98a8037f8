/**
 * The house test (docs/database.md, "Declarative schemas"): the migrations,
 * applied from empty, build exactly the shape `supabase/schemas/` declares,
 * and applying them twice changes nothing. Two throwaway clusters, each with
 * the platform a hosted project has (roles, grants, extensions, Supabase
 * Auth's migrations; supabase/local/apply.ts); one gets the migrations, the
 * other the schema files, both as the non-superuser `postgres`. Their catalogs
 * (supabase/local/catalog.ts: pg_dump of the project's schemas without
 * ownership, the rows the SQL inserts, extensions, cron jobs, pgmq queues)
 * must be equal.
 */
import assert from "node:assert/strict";
import { type Cluster, startCluster } from "../local/cluster.ts";
import { applyPlatform, applyProject } from "../local/apply.ts";
import { type Catalog, catalogDifferences, readCatalog } from "../local/catalog.ts";

async function withClusters(n: number, fn: (clusters: Cluster[]) => Promise<void>) {
  const started = await Promise.allSettled(Array.from({ length: n }, () => startCluster()));
  const clusters = started.flatMap((s) => s.status === "fulfilled" ? [s.value] : []);
  try {
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    await Promise.all(clusters.map((c) => applyPlatform(c.url)));
    await fn(clusters);
  } finally {
    await Promise.all(clusters.map((c) => c.stop()));
  }
}

/** One line per difference, cut so a failure stays readable. */
const report = (diffs: string[]) =>
  `${diffs.length} difference(s):\n\n${diffs.slice(0, 20).join("\n\n").slice(0, 12000)}`;

Deno.test("supabase/schemas declares exactly what the migrations build, and a second pass changes nothing", async (t) => {
  await withClusters(2, async ([migrated, declared]) => {
    await applyProject(migrated.url);
    await applyProject(declared.url, { from: "schemas" });
    const once: Catalog = await readCatalog(migrated.url);
    assert.ok(once.entries.some((e) => e.type === "TABLE"), "the dump holds the project's tables");
    assert.ok(once.cronJobs.length > 0, "the migrations schedule cron jobs");

    await t.step("migrations = schemas", async () => {
      const diffs = catalogDifferences(once, await readCatalog(declared.url), [
        "migrations",
        "schemas",
      ]);
      assert.deepEqual(diffs, [], report(diffs) + "\n\n(run ./dev schemas and review the diff)");
    });

    await t.step("migrations twice = migrations once", async () => {
      await applyProject(migrated.url);
      const diffs = catalogDifferences(once, await readCatalog(migrated.url), [
        "one pass",
        "two passes",
      ]);
      assert.deepEqual(diffs, [], report(diffs));
    });
  });
});
