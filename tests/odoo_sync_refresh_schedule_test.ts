/**
 * The scheduled full refresh (issue 25) through the sync queue (issue 26):
 * `public.tick_odoo_sync('crm')` enqueues `mode: "full"` once the
 * organization's slot (`public.sync_next_full_refresh`) has come, a woken
 * worker of the crm function runs it, the refresh repairs what Odoo changed
 * without writing, and the next messages are incremental again until the next
 * slot, a cadence later. Time is the database's: the test moves the last
 * refresh (`sync_cursors.refreshed_at`) around `now()` instead of the clock.
 */
import assert from "node:assert/strict";
import { makeLeads } from "../supabase/local/odoo.ts";
import { queueWorld } from "./support/queue_harness.ts";

const DAY = 24 * 60 * 60_000;

Deno.test("the tick enqueues mode full at the organization's slot, then incremental until the next", async () => {
  const leads = makeLeads(6, { start: new Date("2026-11-30T09:00:00Z") });
  await using w = await queueWorld([{ records: { "crm.lead": leads } }], { maxWorkers: 1 });
  const org = w.orgs[0];
  /** The organization due now; one tick enqueues it, its worker runs; returns the run's mode. */
  const tickAndRun = async (): Promise<string> => {
    await w.sql`update public.sync_org_state set next_due_at = now()
      where org_id = ${org.id}::uuid and job = 'crm'`;
    assert.equal((await w.tick()).enqueued, 1, "one message");
    const [msg] = await w.sql`select message ->> 'mode' as mode from pgmq.q_odoo_sync_crm`;
    const seen = w.logs.lines.length;
    assert.deepEqual((await w.wake()).map((r) => r.status), [202]);
    await w.settle();
    const events = w.logs.lines.slice(seen).map((l: string) => JSON.parse(l).event as string);
    const [run] = await w.sql`select idempotency_key, status from public.sync_runs
      where org_id = ${org.id}::uuid order by id desc limit 1`;
    assert.equal(run.status, "succeeded");
    const mode = run.idempotency_key.startsWith("odoo:crm:full:") ? "full" : "incremental";
    assert.equal(mode, msg.mode, "the run has the mode its message carries");
    assert.equal(events.includes("sync_refreshed"), mode === "full", "the worker ran that mode");
    return mode;
  };
  assert.equal(await tickAndRun(), "incremental", "the first sync reads everything anyway");
  // The organization's latest slot at or before now, and the one before it.
  const [{ slot }] = await w.sql`select public.sync_next_full_refresh(${org.id}::uuid,
    now() - interval '1 day', interval '1 day') as slot`;
  const slotMs = (slot as Date).getTime();
  // Odoo's daily scoring action changes probabilities with raw SQL: write_date unchanged.
  org.odoo.sqlUpdate("crm.lead", [1, 2, 3, 4, 5, 6], { probability: 42 });
  // Refreshed just after the latest slot: the next slot is a day away.
  await w.sql`update public.sync_cursors set refreshed_at = ${new Date(slotMs + 1000)}
    where org_id = ${org.id}::uuid and job = 'crm'`;
  assert.equal(await tickAndRun(), "incremental", "before its slot");
  const stale = async () =>
    (await w.sql`select count(*)::int as n from public.crm_leads where probability = 42`)[0].n;
  assert.equal(await stale(), 0, "an incremental run cannot see the change");
  // Refreshed just after the slot before: the latest slot has come.
  await w.sql`update public.sync_cursors set refreshed_at = ${new Date(slotMs - DAY + 1000)}
    where org_id = ${org.id}::uuid and job = 'crm'`;
  assert.equal(await tickAndRun(), "full", "its slot has come");
  assert.equal(await stale(), 6, "the full refresh repaired every lead");
  assert.equal(await tickAndRun(), "incremental", "done for a day");
  const [{ next, now }] = await w.sql`select public.sync_next_full_refresh(${org.id}::uuid,
    refreshed_at, interval '1 day') as next, now() as now
    from public.sync_cursors where org_id = ${org.id}::uuid and job = 'crm'`;
  assert.ok((next as Date).getTime() > (now as Date).getTime(), "the next slot is ahead");
  assert.equal(((next as Date).getTime() - slotMs) % DAY, 0, "at the same time of day");
  w.assertNoSecretsLogged();
});
