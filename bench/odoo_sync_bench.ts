/**
 * Odoo → PostgreSQL sync throughput and memory, through the odoo-crm-sync
 * handler (guard included) with the default page size (500):
 *   ./dev bench bench/odoo_sync_bench.ts
 * Uses TEST_DATABASE_URL, or starts its own throwaway cluster.
 *
 * For 2,000 and 10,000 leads it prints rows per second, peak RSS and heap, and
 * the heap's growth per page (least-squares slope of heapUsed sampled after
 * every committed page). Flat memory means the slope is ~0 and the 10,000-lead
 * peak is about the 2,000-lead peak, not five times it. The fake Odoo runs in
 * the same process, so its records are part of the baseline RSS and heap.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createHandler } from "../supabase/functions/odoo-crm-sync/index.ts";
import type { Logger } from "../supabase/functions/_shared/log.ts";
import { connect, resetAppData, testDatabaseUrl } from "../tests/support/db.ts";
import { makeLeads, startOdooServer } from "../supabase/local/odoo.ts";
import { TEST_SERVICE_ROLE_KEY, testAuthEnv } from "../tests/support/tokens.ts";

const MB = 1024 * 1024;
// A forced collection before each memory sample measures what stays alive, not garbage.
setFlagsFromString("--expose-gc");
const gc: () => void = runInNewContext("gc");

interface Sample {
  page: number;
  rss: number;
  heap: number;
}

/** Least-squares slope of heap over page number, in bytes per page. */
function slope(samples: Sample[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const mx = samples.reduce((s, p) => s + p.page, 0) / n;
  const my = samples.reduce((s, p) => s + p.heap, 0) / n;
  const num = samples.reduce((s, p) => s + (p.page - mx) * (p.heap - my), 0);
  const den = samples.reduce((s, p) => s + (p.page - mx) ** 2, 0);
  return num / den;
}

const mb = (bytes: number) => Number((bytes / MB).toFixed(1));

/** One full sync of `count` leads into an empty database; samples memory after every page. */
async function syncOnce(count: number, collect: boolean, timed?: Deno.BenchContext) {
  const sql = connect(await testDatabaseUrl());
  const apiKey = `bench-${crypto.randomUUID()}`;
  const leads = makeLeads(count, { start: new Date("2024-01-01T00:00:00Z") });
  const users = [{ login: "bench", apiKey, uid: 2 }];
  const odoo = startOdooServer({ db: "bench", users, records: { "crm.lead": leads } });
  try {
    await resetAppData(sql);
    const orgId = crypto.randomUUID();
    await sql`insert into public.organizations (id, name) values (${orgId}, 'Bench')`;
    await sql`select public.upsert_integration_credential(${orgId}::uuid, 'odoo', ${apiKey},
      ${odoo.url}, 'bench', 'bench')`;
    const samples: Sample[] = [];
    const logger: Logger = (_level, event, fields) => {
      if (event !== "sync_page_committed") return;
      if (collect) gc();
      const m = Deno.memoryUsage();
      samples.push({ page: Number(fields?.page), rss: m.rss, heap: m.heapUsed });
    };
    const handler = createHandler({ env: testAuthEnv(), sql, logger });
    const headers = { Authorization: `Bearer ${TEST_SERVICE_ROLE_KEY}` };
    const req = new Request("http://localhost/functions/v1/odoo-crm-sync", {
      method: "POST",
      headers,
      body: "{}",
    });
    gc();
    const before = Deno.memoryUsage();
    timed?.start();
    const t0 = performance.now();
    const report = await (await handler(req)).json();
    const seconds = (performance.now() - t0) / 1000;
    timed?.end();
    const stored = (await sql`select count(*)::int as n from public.crm_leads`)[0].n;
    if (report.status !== "succeeded" || stored !== count) {
      throw new Error(`bench sync failed: ${report.status}, ${stored} of ${count} rows`);
    }
    return { pages: report.organizations[0].pages as number, seconds, before, samples };
  } finally {
    await odoo.close();
    await sql.end();
  }
}

async function bench(count: number, b: Deno.BenchContext): Promise<void> {
  const timed = await syncOnce(count, false, b);
  const retained = await syncOnce(count, true);
  const peak = (xs: Sample[], k: "rss" | "heap") => Math.max(...xs.map((s) => s[k]));
  console.log(JSON.stringify({
    leads: count,
    pages: timed.pages,
    seconds: Number(timed.seconds.toFixed(2)),
    rows_per_second: Math.round(count / timed.seconds),
    rss_before_mb: mb(timed.before.rss),
    peak_rss_mb: mb(peak(timed.samples, "rss")),
    heap_before_mb: mb(timed.before.heapUsed),
    peak_heap_mb: mb(peak(timed.samples, "heap")),
    retained_heap_first_page_mb: mb(retained.samples[0].heap),
    retained_heap_last_page_mb: mb(retained.samples.at(-1)!.heap),
    retained_heap_growth_kb_per_page: Number((slope(retained.samples) / 1024).toFixed(1)),
  }));
}

// deno bench awaits only functions declared async.
for (const count of [2_000, 10_000]) {
  Deno.bench({
    name: `sync ${count.toLocaleString("en")} leads`,
    n: 1,
    warmup: 0,
    async fn(b) {
      await bench(count, b);
    },
  });
}
