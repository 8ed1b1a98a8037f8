/**
 * Issue 26: no call through pg_net waits on a tenant. The real pg_net takes
 * its next batch only when every request of the current one has ended
 * (src/worker.c of pg_net 0.20.5 loops while any curl handle runs), so a sync
 * that answered only when its Odoo did would hold every other job's call
 * behind the slowest tenant. The sync's wake-up answers 202 at once and works
 * in the background, so bot-scheduler's call, queued while the woken worker
 * syncs a slow tenant, is answered at once, while that sync is still running.
 *
 * Starts its own local stack on free ports (cron paused: the test runs the two
 * jobs' own commands as pg_cron would) and stops it.
 */
import assert from "node:assert/strict";
import { startLocalStack } from "../supabase/local/stack.ts";
import { createLogger } from "../supabase/functions/_shared/log.ts";
import { recordLogLine } from "./support/guard_harness.ts";

const ODOO_DELAY_MS = 8_000;

Deno.test("e2e: bot-scheduler's call is answered while a slow tenant's sync still runs", async () => {
  const stack = await startLocalStack({
    apiPort: 0,
    dbPort: 0,
    pauseCron: true,
    stateDir: null,
    logger: createLogger(recordLogLine),
  });
  try {
    const { sql } = stack;
    const odoo = stack.odoo!;
    odoo.setFailure({ kind: "slow", delayMs: ODOO_DELAY_MS });
    // A wake-up's pg_net timeout (5 s by default) would also end a blocked batch;
    // a long one shows the design does not rely on it.
    await sql`update public.sync_queue_settings set wake_timeout_ms = 60000 where job = 'crm'`;
    const command = async (job: string) => {
      const [c] = await sql`select command from cron.job where jobname = ${job}`;
      await sql.unsafe(c.command);
    };
    // The sync's tick queues a wake-up; pg_net's worker takes it in a batch and
    // the woken worker claims the tenant (its run is 'running', Odoo is slow).
    await command("odoo-crm-sync-incremental");
    for (let waited = 0; waited < 20_000; waited += 100) {
      const [{ n }] = await sql`select count(*)::int as n from public.sync_runs`;
      if (n > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Then bot-scheduler's minute comes: its call must not wait for that tenant.
    const started = Date.now();
    await command("bot-scheduler");
    let answered: { job: string; status: number | null; finished: number }[] = [];
    for (let waited = 0; waited < 20_000; waited += 100) {
      answered = await sql`
        select c.job_name as job, r.status_code as status,
          (select count(*)::int from public.sync_runs where status <> 'running') as finished
        from public.cron_http_requests c join net._http_response r on r.id = c.request_id
        where c.job_name in ('bot-scheduler', 'odoo-crm-sync-incremental')`;
      if (answered.some((a) => a.job === "bot-scheduler")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const bot = answered.find((a) => a.job === "bot-scheduler");
    assert.ok(bot, "bot-scheduler's call was answered");
    assert.equal(bot.status, 200);
    assert.ok(Date.now() - started < ODOO_DELAY_MS, "long before one Odoo call could end");
    assert.equal(bot.finished, 0, "while the tenant's sync had not finished");
    const wake = answered.find((a) => a.job === "odoo-crm-sync-incremental");
    assert.equal(wake?.status, 202, "the wake-up was answered at once");

    // The worker really was busy with that tenant, and finishes once Odoo answers.
    odoo.setFailure(null);
    let finished: { status: string }[] = [];
    for (let waited = 0; waited < 45_000 && finished.length === 0; waited += 250) {
      await new Promise((r) => setTimeout(r, 250));
      finished = await sql`select status from public.sync_runs where status <> 'running'`;
    }
    assert.deepEqual(finished.map((f) => f.status), ["succeeded"]);
  } finally {
    await stack.stop();
  }
});
