/**
 * The Odoo sync engine end to end (cron calls to odoo-crm-sync): incremental
 * reads, crash and resume, full resync, Odoo's microsecond write_dates, the
 * settle window and the run deadline. Real PostgreSQL, fake Odoo on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { createHandler } from "../supabase/functions/odoo-crm-sync/index.ts";
import type { SyncTuning } from "../supabase/functions/_shared/odoo-sync.ts";
import { makeRequest } from "./support/guard_harness.ts";
import { makeLeads, type OdooRecord } from "../supabase/local/odoo.ts";
import { type SyncWorld, syncWorld } from "./support/odoo_sync_harness.ts";
import { TEST_SERVICE_ROLE_KEY } from "./support/tokens.ts";

const SLOT0 = Date.parse("2026-11-23T10:00:00Z");
const noSleep = () => Promise.resolve();
// As Odoo returns it: whole seconds.
const odooTime = (s: unknown) =>
  new Date(`${String(s).slice(0, 19).replace(" ", "T")}Z`).toISOString();

/** What Odoo's answers held so far; `crashAfter` search_reads, the next Odoo call fails. */
interface OdooStats {
  searchReads: number;
  rows: number;
  crashAfter: number;
}

/** Counts what Odoo returned, drops Odoo's sub-second digits as real Odoo does, and can "crash". */
function countingFetch(stats: OdooStats): typeof fetch {
  return async (input, init) => {
    if (String(init?.body).includes('"execute_kw"') && stats.searchReads >= stats.crashAfter) {
      throw new TypeError("connection reset by peer");
    }
    const res = await fetch(input, init);
    const text = (await res.text()).replace(/("\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.\d+"/g, '$1"');
    const result = JSON.parse(text).result;
    if (Array.isArray(result) && String(init?.body).includes('"search_read"')) {
      [stats.searchReads, stats.rows] = [stats.searchReads + 1, stats.rows + result.length];
    }
    return new Response(text, { status: res.status, headers: res.headers });
  };
}

/** `run()`: one cron call in the next 15-minute slot, through `odooFetch`. */
function cronRunner(handler: SyncWorld["handler"], odooFetch: typeof fetch, tuning: SyncTuning) {
  let slot = 0;
  return async (
    body: Record<string, unknown> = {},
    extra: { now?: () => Date; sync?: SyncTuning } = {},
  ) => {
    const scheduled = new Date(SLOT0 + 15 * 60_000 * slot++);
    const run = handler({
      fetch: odooFetch,
      now: extra.now ?? (() => new Date(scheduled.getTime() + 10_000)),
      sync: { pageSize: 5, odoo: { retries: 0, sleep: noSleep }, ...tuning, ...extra.sync },
    });
    const req = makeRequest({
      method: "POST",
      bearer: TEST_SERVICE_ROLE_KEY,
      json: { scheduled_for: scheduled.toISOString(), ...body },
    });
    const report = await (await run(req)).json();
    return { ...report, org: report.organizations?.[0] };
  };
}

/** One org with one fake Odoo; `run()` is one cron call in the next 15-minute slot. */
async function world(leads: OdooRecord[], tuning: SyncTuning = {}) {
  let odooClock = new Date("2025-01-01T00:00:00Z");
  const odooNow = () => odooClock;
  const base = await syncWorld(
    [{ records: { "crm.lead": leads }, odooNow, name: "Acme" }],
    { createHandler },
  );
  const { sql } = base;
  const [{ id: orgId, odoo }] = base.orgs;
  const stats: OdooStats = { searchReads: 0, rows: 0, crashAfter: Infinity };
  const run = cronRunner(base.handler, countingFetch(stats), tuning);
  const stored = async () =>
    (await sql`select odoo_id, name, active, write_date from public.crm_leads
      where org_id = ${orgId} order by odoo_id`).map((
      r,
    ) => [Number(r.odoo_id), r.name, r.active, r.write_date.toISOString()]);
  const source = () =>
    odoo.records("crm.lead").map((r) => [r.id, r.name, r.active, odooTime(r.write_date)]);
  const setOdooClock = (iso: string) => (odooClock = new Date(iso));
  const dispose = async () => {
    await base[Symbol.asyncDispose]();
    // Every test: no API key, service key or token in any log line.
    base.assertNoSecretsLogged();
  };
  return {
    sql,
    odoo,
    orgId,
    stats,
    run,
    stored,
    source,
    setOdooClock,
    [Symbol.asyncDispose]: dispose,
  };
}

const leads = (n: number, every = 2) =>
  makeLeads(n, { start: new Date("2024-01-01T00:00:00Z"), sameTimestampEvery: every });

Deno.test("an incremental run re-reads its overlap but rewrites only what changed (edits, archiving, new leads)", async () => {
  await using w = await world(leads(12));
  // The sync's clock: the first pass starts 5 minutes after the leads were written.
  const at = (iso: string) => ({ now: () => new Date(iso) });
  assert.equal((await w.run({}, at("2024-01-01T00:05:00Z"))).org.upserted, 12);
  w.setOdooClock("2025-06-01T08:00:00Z");
  w.odoo.upsertRecord("crm.lead", { id: 3, name: "Renamed" });
  w.odoo.upsertRecord("crm.lead", { id: 7, active: false });
  w.odoo.upsertRecord("crm.lead", { name: "Brand new lead", active: true });
  w.stats.searchReads = w.stats.rows = 0;
  const second = await w.run({}, at("2025-06-01T08:05:00Z"));
  // The old leads lie within 15 minutes before the first pass: read again, not rewritten
  // (all but the two of the cursor's own second, which the first pass read up to id 12).
  assert.deepEqual([second.status, second.org.upserted], ["succeeded", 3]);
  assert.ok(second.org.fetched >= 13, `10 old leads read again, 3 changed: ${second.org.fetched}`);
  assert.deepEqual(await w.stored(), w.source());
  assert.equal((await w.stored())[6][2], false, "archiving is synced");
  const synced = await w
    .sql`select max(synced_at) as at from public.crm_leads where odoo_id <> all('{3,7,13}')`;
  w.stats.searchReads = w.stats.rows = 0;
  const third = await w.run({}, at("2025-06-01T08:06:00Z"));
  assert.deepEqual([third.status, third.org.upserted], ["succeeded", 0]);
  const after = await w
    .sql`select max(synced_at) as at from public.crm_leads where odoo_id <> all('{3,7,13}')`;
  assert.deepEqual(after[0].at, synced[0].at, "unchanged rows were not rewritten");
});

Deno.test("a crash between pages resumes without loss or duplicates", async () => {
  await using w = await world(leads(23));
  w.stats.crashAfter = 3;
  const crashed = await w.run();
  assert.deepEqual([crashed.status, crashed.org.error], ["failed", "odoo_unreachable"]);
  assert.equal(crashed.org.pages, 3, "three pages were committed before the crash");
  const partial = await w.stored();
  assert.deepEqual(
    partial,
    w.source().slice(0, partial.length),
    "a committed prefix, nothing else",
  );
  assert.equal(partial.length, crashed.org.upserted);
  const [c] = await w.sql`select cursor_write_date, cursor_id from public.sync_cursors
    where org_id = ${w.orgId}`;
  const cursor = [c.cursor_write_date.toISOString(), Number(c.cursor_id)];
  const key = (row: unknown[]) => [row[3], row[0]];
  const before = (x: unknown[], y: unknown[]) => x[0]! < y[0]! || (x[0] === y[0] && x[1]! < y[1]!);
  assert.ok(!before(cursor, key(partial.at(-1)!)), "every stored lead is at or before the cursor");
  assert.ok(before(cursor, key(w.source()[partial.length])), "the first missing lead is after it");
  w.stats.crashAfter = Infinity;
  const resumed = await w.run();
  assert.equal(resumed.status, "succeeded");
  assert.deepEqual(await w.stored(), w.source());
  assert.equal(crashed.org.upserted + resumed.org.upserted, 23, "no lead was written twice");
});

Deno.test("mode full resyncs from the start, ignoring the cursor", async () => {
  await using w = await world(leads(9), { overlapMinutes: 0 });
  await w.run();
  await w.sql`delete from public.crm_leads where org_id = ${w.orgId} and odoo_id = 4`;
  await w
    .sql`update public.crm_leads set name = 'tampered' where org_id = ${w.orgId} and odoo_id = 5`;
  const incremental = await w.run();
  assert.ok(incremental.org.fetched <= 2, "incremental starts at the cursor's second");
  assert.equal((await w.stored()).length, 8, "lead 4 lies before the cursor");
  const full = await w.run({ mode: "full" });
  assert.match(full.idempotency_key, /^odoo:crm:full:/);
  assert.deepEqual([full.mode, full.org.upserted], ["full", 2], "row 4 back, row 5 repaired");
  assert.deepEqual(await w.stored(), w.source());
});

Deno.test("a mass edit (one Odoo transaction: same microsecond write_date) syncs exactly, without looping", async () => {
  const edited = leads(15, 1).map((l, i) =>
    i < 3 ? l : { ...l, write_date: `2025-03-01 12:00:00.${String(900_000 - i * 1000)}` }
  );
  await using w = await world(edited);
  // A ticking clock and a short deadline turn a paging loop into a failure instead of a hang.
  let tick = Date.parse("2026-11-23T10:00:10Z");
  const report = await w.run({}, { now: () => new Date(tick += 10), sync: { deadlineMs: 2_000 } });
  assert.deepEqual([report.status, report.org.upserted], ["succeeded", 15]);
  assert.deepEqual(await w.stored(), w.source());
  assert.ok(w.stats.searchReads <= 8, `bounded: ${w.stats.searchReads} search_read calls`);
});

Deno.test("the run deadline stops between pages; the next run continues where it stopped", async () => {
  await using w = await world(leads(30, 1));
  let tick = Date.parse("2026-11-23T10:00:10Z");
  const report = await w.run({}, {
    now: () => new Date(tick += 1000),
    sync: { deadlineMs: 6_000 },
  });
  assert.deepEqual([report.status, report.org.status, report.org.complete], [
    "partial",
    "ok",
    false,
  ]);
  assert.ok(report.org.pages >= 1 && report.org.upserted < 30);
  const [run] = await w.sql`select error_summary from public.sync_runs where id = ${report.run_id}`;
  assert.match(run.error_summary, /deadline reached/);
  const rest = await w.run();
  assert.deepEqual([rest.status, report.org.upserted + rest.org.upserted], ["succeeded", 30]);
  assert.deepEqual(await w.stored(), w.source());
});
