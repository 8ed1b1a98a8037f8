/**
 * The bot scheduler bounds executor work in flight across overlapping ticks
 * (issue 14): a tick claims at most `maxInFlight` minus the bot runs still
 * running; the bots it leaves keep their next_run_at and go first next tick.
 */
import assert from "node:assert/strict";
import { claimDueBots } from "./claim.ts";
import { connect, resetAppData, testDatabaseUrl } from "../../../../tests/support/db.ts";
import { newBot, newOrg } from "../../../../tests/support/bots_fixtures.ts";

Deno.test("claimDueBots leaves room only for maxInFlight minus the running bot runs", async () => {
  const sql = connect(await testDatabaseUrl());
  try {
    await resetAppData(sql);
    const org = await newOrg(sql);
    const now = new Date("2026-11-23T10:00:30Z");
    const due = (m: number) => new Date(now.getTime() - m * 60_000);
    const url = "http://127.0.0.1:9/hook";
    const busy = await newBot(sql, { org_id: org, webhook_url: url, next_run_at: due(-60) });
    const bots = [];
    for (let m = 5; m >= 1; m--) {
      bots.push(await newBot(sql, { org_id: org, webhook_url: url, next_run_at: due(m) }));
    }
    // Two runs in flight (one recent, one lost 11 minutes ago, which no longer counts).
    await sql`insert into public.bot_runs (bot_id, org_id, scheduled_minute, started_at) values
      (${busy}, ${org}, ${due(1)}, ${due(1)}), (${busy}, ${org}, ${due(11)}, ${due(11)})`;
    const claim = (maxInFlight: number) =>
      claimDueBots(sql, { now, orgId: null, limit: 50, maxInFlight });
    assert.deepEqual(await claim(1), [], "bound reached: nothing claimed");
    assert.deepEqual((await claim(3)).map((b) => b.id), bots.slice(0, 2), "oldest first");
    assert.deepEqual((await claim(3)).map((b) => b.id), bots.slice(2, 4), "the rest next tick");
  } finally {
    await sql.end();
  }
});
