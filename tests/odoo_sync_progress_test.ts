/**
 * The sync always moves forward (issue 25): a second holding more leads than
 * a run can read is passed, a run without progress is alerted
 * (`org_sync_stalled`), and values Odoo changes without writing are repaired
 * by the full refresh. A run's budget is its deadline on a fake clock that
 * every Odoo call moves forward ("a slow Odoo", without waiting). Real
 * PostgreSQL, fake Odoo on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { createHandler } from "../supabase/functions/odoo-crm-sync/index.ts";
import type { SyncTuning } from "../supabase/functions/_shared/odoo-sync.ts";
import { makeRequest } from "./support/guard_harness.ts";
import { makeLeads } from "../supabase/local/odoo.ts";
import { type SyncOrgSpec, syncWorld } from "./support/odoo_sync_harness.ts";
import { TEST_SERVICE_ROLE_KEY } from "./support/tokens.ts";

const T0 = Date.parse("2026-12-01T10:00:00Z");
const SLOT = 15 * 60_000;

/**
 * One org; `run(k, tuning)` is the service run of slot k (T0 + k × 15 min),
 * whose clock starts at its slot and moves `odooCallMs` per Odoo call.
 */
async function world(spec: SyncOrgSpec, odooCallMs = 0) {
  const base = await syncWorld([spec], { createHandler });
  const [org] = base.orgs;
  const run = async (k: number, sync: SyncTuning = {}, body: Record<string, unknown> = {}) => {
    const at = T0 + k * SLOT;
    let clock = at;
    const slowOdoo: typeof fetch = (input, init) => {
      clock += odooCallMs;
      return fetch(input, init);
    };
    const handler = base.handler({
      now: () => new Date(clock),
      fetch: slowOdoo,
      sync: { odoo: { retries: 0, sleep: () => Promise.resolve() }, ...sync },
    });
    // A service call without org_id: the run over every organization (here the one),
    // keyed by its slot and timed by the function's clock, so the test can run several
    // slots within one minute (a call naming org_id is "sync now", keyed by the
    // database's minute and deadlined by sync_queue_settings: docs/fanout.md).
    const json = { scheduled_for: new Date(at).toISOString(), ...body };
    const res = await handler(makeRequest({ method: "POST", bearer: TEST_SERVICE_ROLE_KEY, json }));
    const report = await res.json();
    return { ...report, org: report.organizations?.[0] };
  };
  const stored = async () => {
    const [r] = await base.sql`select count(*)::int as n, coalesce(max(odoo_id), 0)::int as max
      from public.crm_leads where org_id = ${org.id}`;
    return { count: r.n as number, max: r.max as number };
  };
  const findings = async (checkId: string) =>
    (await base.sql`select subject, detail from public.edge_guard_findings()
      where check_id = ${checkId}`).map((r) => `${r.subject} ${r.detail}`);
  return { ...base, org, odoo: org.odoo, run, stored, findings };
}

Deno.test("60,000 leads in one write_date second and a later edit: every run moves forward and the edit arrives", async () => {
  const second = new Date("2026-12-01T09:00:00Z");
  // A module upgrade rewrote every lead in one transaction: one write_date for all.
  const leads = makeLeads(60_000, { start: second, sameTimestampEvery: 60_000 });
  await using w = await world({ records: { "crm.lead": leads } }, 5_000);
  // 60 s per run, 5 s per Odoo call, 1,000 leads per page: about 10,000 leads a run.
  const budget = { pageSize: 1_000, deadlineMs: 60_000 };
  let before = await w.stored();
  let arrived = 0;
  for (let k = 0; k < 9 && arrived === 0; k++) {
    const report = await w.run(k, budget);
    assert.equal(report.org.status, "ok", `run ${k}`);
    const now = await w.stored();
    assert.equal(now.count, now.max, `run ${k}: the leads stored are a prefix by id`);
    assert.ok(now.max > before.max || report.org.complete, `run ${k} moved forward: ${now.max}`);
    assert.ok(report.org.fetched <= 15_000, `run ${k} did not walk the second again`);
    before = now;
    if (k === 0) {
      const edit = w.odoo.begin(new Date("2026-12-01T10:02:00Z"));
      edit.write("crm.lead", { id: 17, name: "Edited after the upgrade" });
      edit.commit();
    }
    const [lead] = await w.sql`select name from public.crm_leads
      where org_id = ${w.org.id} and odoo_id = 17`;
    if (lead?.name === "Edited after the upgrade") arrived = k + 1;
  }
  assert.ok(arrived > 0 && arrived <= 8, `the edit arrived in run ${arrived}`);
  assert.deepEqual(await w.stored(), { count: 60_000, max: 60_000 });
  assert.deepEqual(await w.findings("org_sync_stalled"), []);
});

Deno.test("a run that stops inside a second continues after the saved id; the next pass does not read that second again", async () => {
  const leads = makeLeads(30, { start: new Date("2026-12-01T09:58:00Z"), sameTimestampEvery: 30 });
  await using w = await world({ records: { "crm.lead": leads } }, 5_000);
  const budget = { pageSize: 5, deadlineMs: 14_000 };
  const ranges: number[][] = [];
  for (let k = 0; k < 12; k++) {
    const before = (await w.stored()).max;
    const report = await w.run(k, budget);
    assert.equal(report.org.status, "ok");
    const after = (await w.stored()).max;
    if (before === 30) break;
    // Each run reads a few pages; it starts where the previous one stopped.
    assert.ok(after > before, `run ${k} moved forward: ${JSON.stringify(ranges)}`);
    ranges.push([before + 1, after]);
  }
  assert.ok(ranges.length >= 3, `several runs: ${JSON.stringify(ranges)}`);
  assert.equal((await w.stored()).count, 30, JSON.stringify(ranges));
  const [c] = await w.sql`select cursor_id, pass_id from public.sync_cursors
    where org_id = ${w.org.id} and job = 'crm'`;
  assert.deepEqual([Number(c.cursor_id), c.pass_id], [30, null], "the pass ended at id 30");
  // (A longer run: the first reconciliation, due now, needs two Odoo calls of its own.)
  const next = await w.run(20, { pageSize: 5, deadlineMs: 60_000 });
  assert.deepEqual([next.org.complete, next.org.fetched], [true, 0], "nothing read twice");
});

const stallCases: { name: string; sync?: SyncTuning; fail?: boolean; status: string }[] = [
  {
    name: "ok but incomplete (deadline before the first page)",
    sync: { deadlineMs: -1 },
    status: "ok",
  },
  { name: "failed (Odoo answers 500)", fail: true, status: "error" },
];

for (const c of stallCases) {
  Deno.test(`no forward progress in 3 runs in a row alerts org_sync_stalled: ${c.name}`, async () => {
    const leads = makeLeads(4, { start: new Date("2026-12-01T09:00:00Z") });
    await using w = await world({ records: { "crm.lead": leads } });
    if (c.fail) w.odoo.setFailure({ kind: "http500" });
    for (let k = 0; k < 3; k++) {
      assert.deepEqual(await w.findings("org_sync_stalled"), [], `not before run ${k + 1}`);
      const report = await w.run(k, c.sync);
      assert.equal(report.org.status, c.status);
    }
    const [alert] = await w.findings("org_sync_stalled");
    assert.match(
      alert ?? "",
      new RegExp(`^org:${w.org.id} crm made no forward progress in its last 3 runs`),
    );
    w.odoo.setFailure(null);
    const good = await w.run(3);
    assert.deepEqual([good.org.status, good.org.complete], ["ok", true]);
    assert.deepEqual(await w.findings("org_sync_stalled"), [], "progress resolves it");
  });
}

Deno.test("values Odoo changes without writing are repaired by the full refresh, which resumes across runs", async () => {
  const leads = makeLeads(20, { start: new Date("2026-12-01T09:00:00Z") });
  await using w = await world({ records: { "crm.lead": leads } }, 5_000);
  const first = await w.run(0);
  assert.deepEqual([first.org.complete, first.org.upserted], [true, 20]);
  // The daily predictive lead scoring action (raw SQL), a renamed stage and salesperson.
  w.odoo.sqlUpdate("crm.lead", [2, 9, 19], { probability: 73 });
  const stageId = (leads[4].stage_id as [number, string])[0];
  w.odoo.rename("crm.stage", stageId, "Renamed stage");
  const userId = (leads.find((l) => l.user_id !== false)!.user_id as [number, string])[0];
  w.odoo.rename("res.users", userId, "Renamed salesperson");
  const mirror = async () =>
    JSON.stringify(
      (await w.sql`select odoo_id, probability::float8 as p, stage_name, user_name
        from public.crm_leads where org_id = ${w.org.id} order by odoo_id`).map((r) => [
        Number(r.odoo_id),
        r.p,
        r.stage_name,
        r.user_name,
      ]),
    );
  const odooView = () =>
    JSON.stringify(
      w.odoo.records("crm.lead").map((r) => [
        r.id,
        r.probability,
        r.stage_id === false ? null : (r.stage_id as [number, string])[1],
        r.user_id === false ? null : (r.user_id as [number, string])[1],
      ]),
    );
  const incremental = await w.run(1);
  assert.equal(
    incremental.org.upserted,
    0,
    "no write_date moved: the incremental walk sees nothing",
  );
  assert.notEqual(await mirror(), odooView());
  // 4 leads a page, two pages a run: the refresh takes three runs, never starting over.
  const budget = { pageSize: 4, deadlineMs: 19_000 };
  const pages: number[] = [];
  for (let k = 2; k < 8; k++) {
    const full = await w.run(k, budget, { mode: "full" });
    pages.push(full.org.pages);
    const [c] = await w.sql`select refreshed_at from public.sync_cursors
      where org_id = ${w.org.id} and job = 'crm'`;
    if (c.refreshed_at !== null) break;
  }
  assert.ok(pages.length >= 3, `several runs: ${pages}`);
  assert.equal(
    pages.reduce((a, b) => a + b, 0),
    5,
    `20 leads in 5 pages, none read twice: ${pages}`,
  );
  assert.equal(await mirror(), odooView());
  const [c] = await w.sql`select refreshed_at, refresh_after_id from public.sync_cursors
    where org_id = ${w.org.id} and job = 'crm'`;
  const started = c.refreshed_at.getTime() - (T0 + 2 * SLOT);
  assert.ok(
    started >= 0 && started <= 20_000,
    `refreshed_at: when the refresh started (${started})`,
  );
  assert.equal(c.refresh_after_id, null);
});
