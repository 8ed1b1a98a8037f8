/**
 * A service call without `org_id` (every organization in turn) that reaches
 * its deadline: the organizations it did not reach are not stamped as
 * visited, get no database work and no per-org line in `sync_runs`, and go
 * first next run, so every organization is synced once within as many runs as
 * there are organizations (issue 14: "organizations past the deadline are
 * never synced").
 */
import assert from "node:assert/strict";
import { createHandler } from "../../odoo-crm-sync/index.ts";
import { makeLeads } from "../../../local/odoo.ts";
import { makeRequest } from "../../../../tests/support/guard_harness.ts";
import { syncWorld } from "../../../../tests/support/odoo_sync_harness.ts";
import { summarize } from "./runs.ts";
import { TEST_SERVICE_ROLE_KEY } from "../../../../tests/support/tokens.ts";

const SLOT0 = Date.parse("2026-11-23T10:00:00Z");
const ORGS = 6;

Deno.test("a run cut by its deadline leaves the rest unvisited; they go first next run", async () => {
  const start = new Date("2024-01-01T00:00:00Z");
  await using w = await syncWorld(
    Array.from({ length: ORGS }, (_, i) => ({
      records: { "crm.lead": makeLeads(1, { start }) },
      name: `Org ${i}`,
    })),
    { createHandler },
  );
  // The clock jumps past the deadline once one organization has read its page.
  let late = false;
  let scheduled = SLOT0;
  const odooFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (String(init?.body).includes("search_read")) late = true;
    return res;
  };
  const now = () => new Date(scheduled + (late ? 1_000_000 : 10_000));
  const run = async (slot: number) => {
    [late, scheduled] = [false, SLOT0 + slot * 15 * 60_000];
    w.logs.lines.length = 0;
    const handler = w.handler({ fetch: odooFetch, now, sync: { odoo: { retries: 0 } } });
    const req = makeRequest({
      method: "POST",
      bearer: TEST_SERVICE_ROLE_KEY,
      json: { scheduled_for: new Date(scheduled).toISOString() },
    });
    return await (await handler(req)).json();
  };

  const synced = new Set<string>();
  for (let slot = 0; slot < ORGS; slot++) {
    const report = await run(slot);
    assert.equal(report.organizations.length, 1, `run ${slot} syncs one org before its deadline`);
    const [org] = report.organizations;
    // Its walk finished; the first reconciliation after it is cut by the same deadline.
    assert.deepEqual([org.status, org.upserted], ["ok", 1]);
    assert.ok(!synced.has(org.org_id), `run ${slot} repeated ${org.org_id}`);
    synced.add(org.org_id);
    assert.equal(report.not_reached, ORGS - 1);
    // Orgs not reached: no per-org work, log line or result line.
    const orgLines = w.logs.lines.filter((l) => l.includes('"sync_org_'));
    assert.equal(orgLines.length, 1, orgLines.join("\n"));
    const [row] = await w.sql`select status, org_results, error_summary, counts
      from public.sync_runs where id = ${report.run_id}`;
    assert.deepEqual(Object.keys(row.org_results), [org.org_id]);
    const others = w.orgs.filter((o) => o.id !== org.org_id);
    for (const o of others) assert.ok(!row.error_summary.includes(o.id), row.error_summary);
    assert.deepEqual([row.status, row.counts.not_reached], ["partial", ORGS - 1]);
  }
  assert.equal(synced.size, ORGS);
  w.assertNoSecretsLogged();
});

Deno.test("the run's error summary is bounded: 20 per-org notes, then counts", () => {
  const failed = Array.from({ length: 10_000 }, (_, i) => ({
    org_id: `org-${i}`,
    status: "error" as const,
    error: "odoo_timeout" as const,
    fetched: 0,
    upserted: 0,
    pages: 0,
    deleted: 0,
  }));
  const ok = { ...failed[0], org_id: "fine", status: "ok" as const, complete: true };
  const summary = summarize([ok, ...failed], 5_000);
  assert.equal(summary.status, "partial");
  assert.ok(summary.errorSummary!.length < 1_000, `${summary.errorSummary!.length} chars`);
  assert.match(summary.errorSummary!, /and 9980 more; 5000 organizations not reached/);
  assert.deepEqual([summary.counts.failed, summary.counts.not_reached], [10_000, 5_000]);
});
