/**
 * The sync on Supabase Queues end to end (issue 26, docs/fanout.md): the tick,
 * the workers it wakes (202 at once, work in the background), the lease, the
 * per-organization deadline, the database clock, a deleted tenant. The SQL
 * functions' own behaviours are pgTAP suites under supabase/tests/<function>/.
 */
import assert from "node:assert/strict";
import { makeLeads } from "../supabase/local/odoo.ts";
import { queueWorld } from "./support/queue_harness.ts";

const leads = () => ({ "crm.lead": makeLeads(2, { start: new Date("2024-01-01T00:00:00Z") }) });

Deno.test("7 organizations, bound 3: three workers sync all of them; never more than 3 workers", async () => {
  await using w = await queueWorld(Array.from({ length: 7 }, () => ({ records: leads() })), {
    maxWorkers: 3,
  });
  assert.deepEqual(await w.tick(), { enqueued: 7, woken: 3, live: 3 });
  assert.deepEqual((await w.tick()).woken, 0, "the bound is full");
  const answers = await w.wake();
  assert.deepEqual(answers.map((r) => r.status), [202, 202, 202]);
  await w.settle();
  assert.equal(await w.synced(), 7);
  const [{ workers, claimed }] = await w.sql`select count(*)::int as workers,
    sum(claimed)::int as claimed from public.sync_workers where stopped_at is not null`;
  assert.deepEqual(
    [workers, claimed],
    [3, 7],
    "3 workers claimed the 7 organizations between them",
  );
  const [{ leads: stored }] = await w.sql`select count(*)::int as leads from public.crm_leads`;
  assert.equal(stored, 14);
  assert.deepEqual((await w.tick()).enqueued, 0, "every organization is due next period, not now");
  w.assertNoSecretsLogged();
});

Deno.test("a worker killed mid-sync: the next worker syncs its tenant once the lease ends", async () => {
  await using w = await queueWorld([{ records: leads() }], { maxWorkers: 1 });
  await w.tick();
  // The woken worker claims the organization and dies before finishing.
  const [dead] = await w.sql`select id::int from public.sync_workers`;
  const [lost] = await w.sql`select * from public.claim_org_sync(${dead.id})`;
  assert.equal((await w.tick()).woken, 0, "the dead worker holds its slot while its lease runs");
  // Its lease ends: the message's visibility timeout and the worker's lease.
  await w.sql`update pgmq.q_odoo_sync_crm set vt = now() - interval '1 second'`;
  await w.sql`update public.sync_workers set lease_until = now() - interval '1 second'`;
  assert.equal((await w.tick()).woken, 1, "a new worker takes the slot");
  await w.wake();
  await w.settle();
  const s = await w.state(w.orgs[0].id);
  assert.ok(s.last_success_at, "the tenant is synced by the next worker");
  const [run] = await w
    .sql`select status, error_summary from public.sync_runs where id = ${lost.run_id}`;
  assert.deepEqual([run.status, run.error_summary], ["failed", "run_lost"]);
  assert.equal(s.consecutive_failures, 0, "a lost worker is not the tenant's failure");
});

Deno.test("a slow tenant is released after its deadline with a backoff; the worker moves on", async () => {
  await using w = await queueWorld([{ records: leads() }, { records: leads() }], {
    maxWorkers: 1,
    orgDeadlineSeconds: 1,
  });
  const [slow, fine] = w.orgs;
  slow.odoo.setFailure({ kind: "slow", delayMs: 20_000 });
  await w.tick();
  const started = Date.now();
  await w.wake({ sync: { odoo: { retries: 0, timeoutMs: 30_000 }, orgGraceMs: 300 } });
  await w.settle();
  assert.ok(Date.now() - started < 8_000, "released long before the slow call would end");
  const s = await w.state(slow.id);
  assert.deepEqual([s.last_error, s.consecutive_failures], ["odoo_timeout", 1]);
  const wait = s.next_due_at.getTime() - s.db_now.getTime();
  assert.ok(wait >= 25_000 && wait <= 60_000, `backoff 0.5..1 min, got ${wait} ms`);
  assert.ok((await w.state(fine.id)).last_success_at, "the other tenant is synced");
  assert.ok(w.logs.lines.some((l) => l.includes('"sync_org_released"')));
});

Deno.test("the function's clock 90 s ahead changes nothing: times and keys come from the database", async () => {
  await using w = await queueWorld([{ records: leads() }], { maxWorkers: 1 });
  await w.tick();
  const ahead = () => new Date(Date.now() + 90_000);
  await w.wake({ now: ahead });
  await w.settle();
  const s = await w.state(w.orgs[0].id);
  assert.ok(Math.abs(s.last_success_at.getTime() - s.db_now.getTime()) < 5_000);
  const [{ slot }] = await w.sql`select public.sync_next_slot(${w.orgs[0].id}::uuid,
    ${s.last_finished_at}::timestamptz, interval '15 minutes') as slot`;
  assert.equal(s.next_due_at.getTime(), slot.getTime(), "due at its slot in the next period");
  const [run] = await w
    .sql`select idempotency_key, started_at, now() as db_now from public.sync_runs`;
  assert.ok(Math.abs(run.started_at.getTime() - run.db_now.getTime()) < 5_000);
  const [{ key }] = await w.sql`select public.sync_run_key('crm', ${w.orgs[0].id}::uuid,
    'incremental', 'org', public.sync_period(now(), interval '15 minutes')) as key`;
  assert.equal(run.idempotency_key, key);
  assert.equal((await w.tick()).enqueued, 0, "not due again in this period");
});

Deno.test("a wake-up is answered 202 at once while its worker syncs in the background", async () => {
  await using w = await queueWorld([{ records: leads() }], { maxWorkers: 1 });
  w.orgs[0].odoo.setFailure({ kind: "slow", delayMs: 1_500, times: 1 });
  await w.tick();
  const started = Date.now();
  const [answer] = await w.wake();
  const answeredMs = Date.now() - started;
  assert.equal(answer.status, 202);
  assert.deepEqual(await answer.json(), { status: "accepted", job: "crm" });
  assert.ok(answeredMs < 1_000, `answered in ${answeredMs} ms, before the slow Odoo call ended`);
  await w.settle();
  assert.ok((await w.state(w.orgs[0].id)).last_success_at);
});

Deno.test("a deleted tenant's message is dropped: no run, no 502, no alert", async () => {
  await using w = await queueWorld([{ records: leads() }, { records: leads() }], { maxWorkers: 1 });
  await w.tick();
  const [gone, kept] = w.orgs;
  await w.sql`delete from public.organizations where id = ${gone.id}`;
  const [answer] = await w.wake();
  assert.equal(answer.status, 202);
  await w.settle();
  assert.equal(gone.odoo.calls().length, 0);
  assert.ok((await w.state(kept.id)).last_success_at);
  const [{ n }] = await w.sql`select count(*)::int as n from pgmq.q_odoo_sync_crm`;
  assert.equal(n, 0, "both messages are gone");
  const findings = await w.sql`select check_id from public.edge_guard_findings()
    where subject = ${"org:" + gone.id}`;
  assert.equal(findings.length, 0);
});
