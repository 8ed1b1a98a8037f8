/**
 * The scheduled full refresh (issue 25) through the dispatcher SQL, pg_net's
 * queue, the local delivery worker and the crm function: the dispatcher sends
 * `mode: "full"` once the organization's slot (`public.sync_next_full_refresh`)
 * has come, the refresh repairs what Odoo changed without writing, and the
 * next ticks are incremental again until the next slot, a cadence later.
 */
import assert from "node:assert/strict";
import { makeLeads } from "../supabase/local/odoo.ts";
import { dispatchWorld } from "./support/dispatch_harness.ts";

const MIN = 60_000;

Deno.test("the dispatcher sends mode full at the organization's slot, then incremental until the next", async () => {
  const leads = makeLeads(6, { start: new Date("2026-11-30T09:00:00Z") });
  await using w = await dispatchWorld([{ records: { "crm.lead": leads } }], { maxInFlight: 5 });
  const org = w.orgs[0];
  /** One tick at `at` that sends one request, delivered; returns the mode the function ran. */
  const sendAndDeliver = async (at: Date) => {
    assert.equal(await w.tick(at), 1, `one request at ${at.toISOString()}`);
    const seen = w.logs.lines.length;
    await w.deliver(at);
    const started = w.logs.lines.slice(seen).map((l) => JSON.parse(l))
      .filter((l) => l.event === "sync_run_started");
    assert.equal(started.length, 1, `one run at ${at.toISOString()}`);
    return started[0].mode;
  };
  // The first sync; then pretend the last refresh was at a known time.
  const t0 = new Date("2026-12-01T00:01:00Z");
  assert.equal(await sendAndDeliver(t0), "incremental");
  const [{ slot }] = await w.sql`select public.sync_next_full_refresh(${org.id}::uuid,
    ${new Date(t0.getTime() + 120 * MIN)}, interval '1 day') as slot`;
  const slotMs = (slot as Date).getTime();
  // The last refresh started just after the previous slot: the next one is `slot`.
  const last = new Date(slotMs - 24 * 60 * MIN + MIN);
  await w.sql`update public.sync_cursors set refreshed_at = ${last} where org_id = ${org.id}`;
  // Odoo's daily scoring action changes probabilities with raw SQL: write_date unchanged.
  org.odoo.sqlUpdate("crm.lead", [1, 2, 3, 4, 5, 6], { probability: 42 });
  // Each tick in its own 15-minute period, so the organization is due each time.
  const before = await sendAndDeliver(new Date(slotMs - 16 * MIN));
  assert.equal(before, "incremental", "before its slot");
  const [stale] = await w
    .sql`select count(*)::int as n from public.crm_leads where probability = 42`;
  assert.equal(stale.n, 0, "an incremental run cannot see the change");
  assert.equal(await sendAndDeliver(new Date(slotMs + 16 * MIN)), "full", "its slot has come");
  const [fixed] = await w
    .sql`select count(*)::int as n from public.crm_leads where probability = 42`;
  assert.equal(fixed.n, 6, "the full refresh repaired every lead");
  assert.equal(await sendAndDeliver(new Date(slotMs + 32 * MIN)), "incremental", "done for a day");
  const [{ next }] = await w.sql`select public.sync_next_full_refresh(${org.id}::uuid,
    refreshed_at, interval '1 day') as next from public.sync_cursors where org_id = ${org.id}`;
  assert.equal((next as Date).getTime(), slotMs + 24 * 60 * MIN, "the same time tomorrow");
  w.assertNoSecretsLogged();
});
