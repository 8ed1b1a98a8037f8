/**
 * The scheduled full refresh's cost at 10,000 leads per organization (issue
 * 25), through the odoo-crm-sync handler (guard included), page 500:
 *   ./dev bench bench/odoo_refresh_bench.ts
 * Uses TEST_DATABASE_URL, or starts its own throwaway cluster.
 *
 * One group, so deno bench prints each case as a ratio of the baseline measured
 * in the same run: the first sync of the 10,000 leads into an empty database
 * (everything read and written). The cases: an ordinary incremental run with
 * nothing changed; a `full` run (incremental walk + refresh of every lead +
 * reconciliation) with nothing changed (every lead read and compared, none
 * written); the same after Odoo's scoring action changed 1,000 probabilities
 * with raw SQL (1,000 rows written). The fake Odoo runs in the same process.
 */
import { createHandler } from "../supabase/functions/odoo-crm-sync/index.ts";
import { connect, resetAppData, testDatabaseUrl } from "../tests/support/db.ts";
import { makeLeads, startOdooServer } from "../supabase/local/odoo.ts";
import { TEST_SERVICE_ROLE_KEY, testAuthEnv } from "../tests/support/tokens.ts";

const LEADS = 10_000;
const sql = connect(await testDatabaseUrl());
const apiKey = `bench-${crypto.randomUUID()}`;
const odoo = startOdooServer({
  db: "bench",
  users: [{ login: "bench", apiKey, uid: 2 }],
  records: { "crm.lead": makeLeads(LEADS, { start: new Date("2024-01-01T00:00:00Z") }) },
});
const orgId = crypto.randomUUID();
await resetAppData(sql);
await sql`insert into public.organizations (id, name) values (${orgId}, 'Bench')`;
await sql`select public.upsert_integration_credential(${orgId}::uuid, 'odoo', ${apiKey},
  ${odoo.url}, 'bench', 'bench')`;
const handler = createHandler({
  env: testAuthEnv(),
  sql,
  logger: () => {},
  sync: {},
});

let slot = 0;
/** One service call for the organization, in a period of its own; fails loudly on a bad report. */
async function run(mode: "incremental" | "full", expectWritten: number): Promise<void> {
  const scheduled = new Date(Date.UTC(2030, 0, 1) + 15 * 60_000 * slot++);
  const req = new Request("http://localhost/functions/v1/odoo-crm-sync", {
    method: "POST",
    headers: { Authorization: `Bearer ${TEST_SERVICE_ROLE_KEY}` },
    body: JSON.stringify({ org_id: orgId, mode, scheduled_for: scheduled.toISOString() }),
  });
  const report = await (await handler(req)).json();
  const org = report.organizations?.[0];
  if (org?.status !== "ok" || !org.complete || org.upserted !== expectWritten) {
    throw new Error(`bench run failed: ${JSON.stringify(org ?? report)}`);
  }
}

let probability = 0;
/** Odoo's scoring action (raw SQL): 1,000 leads get a new probability, write_date unchanged. */
function scoreLeads(): void {
  probability = (probability + 1) % 100;
  const ids = Array.from({ length: 1_000 }, (_, i) => 1 + i * 10);
  odoo.sqlUpdate("crm.lead", ids, { probability: probability + 0.5 });
}

await run("incremental", LEADS);

Deno.bench({
  name: "first sync of 10,000 leads (baseline)",
  group: "refresh-10k",
  baseline: true,
  n: 5,
  warmup: 1,
  async fn(b) {
    await resetAppData(sql);
    await sql`insert into public.organizations (id, name) values (${orgId}, 'Bench')`;
    await sql`select public.upsert_integration_credential(${orgId}::uuid, 'odoo', ${apiKey},
      ${odoo.url}, 'bench', 'bench')`;
    b.start();
    await run("incremental", LEADS);
    b.end();
  },
});

Deno.bench({
  name: "incremental run, nothing changed",
  group: "refresh-10k",
  n: 5,
  warmup: 1,
  async fn() {
    await run("incremental", 0);
  },
});

Deno.bench({
  name: "full refresh (walk + refresh + reconciliation), nothing changed",
  group: "refresh-10k",
  n: 5,
  warmup: 1,
  async fn() {
    await run("full", 0);
  },
});

Deno.bench({
  name: "full refresh after 1,000 probabilities changed without write_date",
  group: "refresh-10k",
  n: 5,
  warmup: 1,
  async fn(b) {
    scoreLeads();
    b.start();
    await run("full", 1_000);
    b.end();
  },
});

globalThis.addEventListener("unload", () => {
  void odoo.close();
  void sql.end();
});
