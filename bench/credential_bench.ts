/**
 * Credential lookup cost as the data grows: `public.get_integration_credential`
 * called as service_role on a base data set and on ten times that, in the same
 * run, each in its own throwaway cluster:
 *   ./dev bench bench/credential_bench.ts
 *   CREDENTIAL_BENCH_ROWS=20000 ./dev bench bench/credential_bench.ts   # quicker
 *
 * Data (why not "1,000 orgs x 100 rows"): credentials are unique per
 * (org_id, integration_type) and there are three types, so an organisation holds
 * at most 3 rows. As in supabase/tests/04_credential_plan.test.sql, N rows are
 * N/3 organisations with up to three credentials each: 100,000 rows (33,334
 * orgs) against 1,000,000 rows (333,334 orgs). vault.secrets grows the same way
 * (filler secrets never read). 1,000 organisations spread over the table get a
 * real encrypted secret through `upsert_integration_credential`; lookups pick
 * among them, and every answer is checked.
 *
 * Prints p50/p99 of 3,000 interleaved lookups per size, the plan of the
 * function's query at each size, then deno bench compares the two sizes.
 */
import { connect, type Sql } from "../tests/support/db.ts";
import { type Cluster, startCluster } from "../supabase/local/cluster.ts";
import { applyLocalStack } from "../supabase/local/apply.ts";

const BASE_ROWS = Number(Deno.env.get("CREDENTIAL_BENCH_ROWS") ?? 100_000);
const HOT_ORGS = 1_000;
const SAMPLES = 3_000;

interface DataSet {
  rows: number;
  sql: Sql;
  hot: { org: string; secret: string }[];
}

// One cluster per size (pg_cron, which the migrations need, lives in one database per cluster).
const clusters: Cluster[] = [];
const stopAll = () => clusters.forEach((c) => c.stopSync());
globalThis.addEventListener("unload", stopAll);

async function populate(rows: number): Promise<DataSet> {
  const cluster = await startCluster();
  clusters.push(cluster);
  const url = cluster.url;
  await applyLocalStack(url);
  const sql = connect(url, { max: 1 });
  const orgs = Math.ceil(rows / 3);
  await sql`create temp table bench_orgs as
    select gen_random_uuid() as id, g from generate_series(1, ${orgs}::int) g`;
  await sql`insert into public.organizations (id, name) select id, 'org ' || g from bench_orgs`;
  await sql`insert into public.integration_credentials (org_id, integration_type, vault_secret_id)
    select o.id, t.type, gen_random_uuid()
    from bench_orgs o cross join unnest(array['odoo', 'xledger', 'dynamics']) t(type)
    order by o.g, t.type limit ${rows}::int`;
  // Filler rows straight into the real Vault's table: only its owner (the superuser) may.
  const admin = connect(cluster.adminUrl, { max: 1 });
  await admin`insert into vault.secrets (name, secret)
    select 'filler:' || g, 'not-a-ciphertext' from generate_series(1, ${rows}::int) g`;
  await admin.end();
  const step = Math.floor(orgs / HOT_ORGS);
  const hotOrgs = await sql<{ id: string }[]>`
    select id from bench_orgs where g % ${step}::int = 0 order by g limit ${HOT_ORGS}::int`;
  const hot = hotOrgs.map(({ id }, i) => ({ org: id, secret: `odoo-api-key-${rows}-${i}` }));
  for (const { org, secret } of hot) {
    await sql`select public.upsert_integration_credential(${org}::uuid, 'odoo', ${secret})`;
  }
  await sql`analyze`;
  await sql`set role service_role`; // the function's only grantee, as the platform calls it
  return { rows, sql, hot };
}

async function lookup(set: DataSet, i: number): Promise<void> {
  const { org, secret } = set.hot[i % set.hot.length];
  const [row] = await set
    .sql`select secret from public.get_integration_credential(${org}::uuid, 'odoo')`;
  if (row?.secret !== secret) throw new Error(`wrong credential at ${set.rows} rows`);
}

// Plain EXPLAIN of the function's own query text (as 04_credential_plan.test.sql does),
// as the superuser: outside the SECURITY DEFINER function service_role cannot read the vault.
async function planOf(set: DataSet): Promise<string> {
  await set.sql`reset role`;
  const [{ body }] = await set.sql`select rtrim(btrim(prosrc), E'; \n\t') as body from pg_proc
    where oid = 'public.get_integration_credential(uuid, text)'::regprocedure`;
  await set.sql.unsafe(`prepare plan_probe(uuid, text) as ${body}`);
  await set.sql`set plan_cache_mode = force_generic_plan`;
  const lines = await set.sql.unsafe(
    `explain (costs off) execute plan_probe('${set.hot[0].org}', 'odoo')`,
  );
  await set.sql`reset plan_cache_mode`;
  await set.sql`deallocate plan_probe`;
  await set.sql`set role service_role`;
  const plan = lines.map((l) => String(l["QUERY PLAN"]));
  return plan.filter((l) => /integration_credentials/.test(l)).map((l) => l.trim()).join("; ");
}

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

let small: DataSet, large: DataSet;
try {
  small = await populate(BASE_ROWS);
  large = await populate(BASE_ROWS * 10);
} catch (err) {
  stopAll(); // an error here ends the module before "unload" can run
  throw err;
}

// Interleaved, so drift on a shared machine hits both sizes alike.
const timings = new Map<DataSet, number[]>([[small, []], [large, []]]);
for (let i = 0; i < 200; i++) await Promise.all([lookup(small, i), lookup(large, i)]);
for (let i = 0; i < SAMPLES; i++) {
  for (const set of i % 2 === 0 ? [small, large] : [large, small]) {
    const started = performance.now();
    await lookup(set, i * 7);
    timings.get(set)!.push((performance.now() - started) * 1000);
  }
}
console.log(`\nget_integration_credential as service_role, ${SAMPLES} lookups per size:`);
for (const [set, xs] of timings) {
  const p50 = percentile(xs, 0.5), p99 = percentile(xs, 0.99);
  console.log(`  ${set.rows} rows: p50 ${p50.toFixed(0)} µs, p99 ${p99.toFixed(0)} µs`);
  console.log(`    plan: ${await planOf(set)}`);
}
const ratio = (p: number) =>
  percentile(timings.get(large)!, p) / percentile(timings.get(small)!, p);
console.log(
  `  ${large.rows} / ${small.rows}: p50 ${ratio(0.5).toFixed(2)}x, p99 ${ratio(0.99).toFixed(2)}x`,
);

let n = 0;
Deno.bench(
  `lookup, ${small.rows} credential rows`,
  { group: "credential", baseline: true },
  async () => {
    await lookup(small, n++);
  },
);
Deno.bench(`lookup, ${large.rows} credential rows`, { group: "credential" }, async () => {
  await lookup(large, n++);
});
