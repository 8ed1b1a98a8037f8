/**
 * The sync fan-out (issue 14, docs/fanout.md) through the dispatcher SQL, the
 * real pg_net (delivering to a server on 127.0.0.1) and the crm function: more
 * organizations than the bound all sync within a few ticks; a failing
 * organization backs off without blocking the others; a repeated tick does
 * nothing twice; a killed run is reaped; a pg_net response frees a slot.
 */
import assert from "node:assert/strict";
import { makeLeads } from "../supabase/local/odoo.ts";
import { dispatchWorld } from "./support/dispatch_harness.ts";
import type { Sql } from "./support/db.ts";

const T0 = Date.parse("2026-11-23T10:01:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const leads = () => ({ "crm.lead": makeLeads(2, { start: new Date("2024-01-01T00:00:00Z") }) });
const MIN = 60_000;

Deno.test("7 organizations, bound 3: all synced once within 3 ticks, never more than 3 in flight", async () => {
  await using w = await dispatchWorld(Array.from({ length: 7 }, () => ({ records: leads() })), {
    maxInFlight: 3,
  });
  const sent: number[] = [];
  for (let i = 0; i < 3; i++) {
    sent.push(await w.tick(at(i)));
    assert.ok(await w.inFlight() <= 3);
    await w.deliver(at(i));
  }
  assert.deepEqual(sent, [3, 3, 1]);
  const done = await w.succeeded();
  assert.deepEqual([done.size, Math.max(...done.values())], [7, 1]);
  const [{ leads: stored }] = await w.sql`select count(*)::int as leads from public.crm_leads`;
  assert.equal(stored, 14);
  // Each request named exactly one organization and was logged for the watchdog.
  const [{ n }] = await w.sql`select count(*)::int as n from public.cron_http_requests
    where job_name = 'odoo-crm-sync-incremental' and function_name = 'odoo-crm-sync'`;
  assert.equal(n, 7);
  // What an operator watches, read as service_role (the functions' fixed 2026-11-23 clock
  // makes every success older than 30 minutes of the database's clock: all 7 are stale).
  const [view] = await w.sql.begin(async (tx) => {
    await tx`set local role service_role`;
    return await tx`select max_in_flight, in_flight, queued, failing, stale_30m
      from public.sync_dispatch_overview where job = 'crm'`;
  });
  assert.deepEqual({ ...view }, {
    max_in_flight: 3,
    in_flight: 0,
    queued: 0,
    failing: 0,
    stale_30m: 7,
  });
  w.assertNoSecretsLogged();
});

Deno.test("a repeated tick of the same period does nothing twice", async () => {
  await using w = await dispatchWorld([{ records: leads() }, { records: leads() }], {
    maxInFlight: 5,
  });
  assert.equal(await w.tick(at(0)), 2);
  assert.equal(await w.tick(at(0)), 0, "in progress: not sent again");
  assert.equal(await w.tick(at(1)), 0);
  await w.deliver(at(1));
  assert.equal(await w.tick(at(2)), 0, "synced in this period: not due");
  assert.equal(await w.tick(at(13)), 0);
  assert.equal((await w.succeeded()).size, 2);
  assert.equal(await w.tick(at(14)), 2, "next period (10:15): due again");
  const keys = await w.sql`select idempotency_key from public.sync_runs order by id`;
  assert.equal(new Set(keys.map((k) => k.idempotency_key)).size, 4);
});

Deno.test("a failing organization backs off 15 min, 1 h, 4 h (capped) and does not block the others", async () => {
  await using w = await dispatchWorld(
    [{ badKey: true }, { records: leads() }, { records: leads() }],
    { maxInFlight: 1 },
  );
  const bad = w.orgs[0].id;
  // Never-tried orgs go first in id order; tick until all three were tried once.
  for (let i = 0; i < 3; i++) {
    assert.equal(await w.tick(at(i)), 1);
    await w.deliver(at(i));
  }
  assert.equal((await w.succeeded()).size, 2, "the others synced despite the failing one");
  let s = await w.state(bad);
  assert.deepEqual([s.last_error, s.consecutive_failures, s.last_status], [
    "odoo_auth_failed",
    1,
    "failed",
  ]);
  const failedAt = s.last_finished_at.getTime();
  assert.equal(s.next_attempt_at.getTime() - failedAt, 15 * MIN);
  assert.equal(await w.tick(new Date(failedAt + MIN)), 0, "not retried inside its backoff");
  // From here the others are due every period too: room for all three.
  await w.sql`update public.sync_dispatch_settings set max_in_flight = 3`;
  const steps = [60, 240, 240];
  for (const step of steps) {
    const retryAt = new Date(s.next_attempt_at.getTime());
    assert.equal(
      await w.tick(new Date(retryAt.getTime() - 1000)),
      2,
      "the others, not the bad one",
    );
    await w.deliver(retryAt);
    assert.equal(await w.tick(retryAt), 1, "the bad one, once its backoff is over");
    await w.deliver(retryAt);
    s = await w.state(bad);
    assert.equal(s.next_attempt_at.getTime() - s.last_finished_at.getTime(), step * MIN);
  }
  assert.equal(s.consecutive_failures, 4);
  w.assertNoSecretsLogged();
});

Deno.test("a run whose function was killed is reaped after run_timeout; a pg_net answer frees its slot", async () => {
  await using w = await dispatchWorld([{ records: leads() }, { records: leads() }], {
    maxInFlight: 1,
  });
  // pg_net gives up after 3 s (the request's timeout_milliseconds) and records a timeout.
  await w.sql`update public.sync_dispatch_settings set request_timeout_ms = 3000`;
  assert.equal(await w.tick(at(0)), 1);
  // The function claimed the run, then died: its request gets no answer, nothing finishes it.
  const [run] = await w.sql`update public.sync_runs set status = 'running'
    where status = 'queued' returning id, org_id, request_id`;
  assert.equal(await w.tick(at(1)), 0, "the slot is held while no answer is recorded");
  const [timedOut] = await waitForResponse(w.sql, run.request_id);
  assert.deepEqual([timedOut.status_code, timedOut.timed_out], [null, true]);
  assert.equal(await w.inFlight(), 0);
  await w.sql`update public.sync_dispatch_settings set request_timeout_ms = 120000`;
  assert.equal(await w.tick(at(2)), 1, "the answer freed the slot: the other org is sent");
  const [other] = await w.sql`select org_id from public.sync_runs where status = 'queued'`;
  assert.notEqual(other.org_id, run.org_id, "the killed org is still in progress, not resent");
  await w.deliver(at(2));
  assert.equal(await w.tick(at(9)), 0, "not reaped before run_timeout (10 min)");
  assert.equal(await w.tick(at(11)), 1, "reaped, then due again at once");
  const [reaped] = await w.sql`select status, error_summary from public.sync_runs
    where id = ${run.id}`;
  assert.deepEqual([reaped.status, reaped.error_summary], ["failed", "run_lost"]);
  const s = await w.state(run.org_id);
  assert.deepEqual([s.last_error, s.consecutive_failures], ["run_lost", 1]);
});

/** Polls for the real pg_net's response to `id` (at most 15 s). */
async function waitForResponse(sql: Sql, id: string) {
  for (let waited = 0; waited < 15_000; waited += 100) {
    const rows = await sql`select status_code, timed_out from net._http_response where id = ${id}`;
    if (rows.length > 0) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no pg_net response for request ${id}`);
}

Deno.test("a function that finishes its organization dispatches the next due one itself", async () => {
  await using w = await dispatchWorld(Array.from({ length: 5 }, () => ({ records: leads() })), {
    maxInFlight: 2,
  });
  assert.equal(await w.tick(at(0)), 2);
  const first = await w.sql`select org_id from public.sync_runs where status = 'queued'`;
  await w.deliver(at(0), { dispatchNext: true });
  const next = await w.sql`select org_id from public.sync_runs where status = 'queued'`;
  assert.equal(next.length, 2, "the bound is full again without a tick");
  const firstIds = new Set(first.map((r) => r.org_id));
  assert.ok(next.every((r) => !firstIds.has(r.org_id)), "never-tried organizations go first");
  const [{ n }] = await w.sql`select count(*)::int as n from net.http_request_queue`;
  assert.equal(n, 2);
});
