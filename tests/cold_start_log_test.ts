/**
 * Every function logs `function_cold_start` (boot time, idle time) on the
 * first request of its instance only, whatever that request's outcome
 * (issue 14: a cold start that makes the first sync time out must be visible).
 */
import assert from "node:assert/strict";
import * as crm from "../supabase/functions/odoo-crm-sync/index.ts";
import * as chatter from "../supabase/functions/odoo-chatter-sync/index.ts";
import * as scheduler from "../supabase/functions/bot-scheduler/index.ts";
import * as executor from "../supabase/functions/bot-executor/index.ts";
import * as sla from "../supabase/functions/check-sla-breaches/index.ts";
import { withColdStartLog } from "../supabase/functions/_shared/startup.ts";
import { connect, testDatabaseUrl } from "./support/db.ts";
import { captureLogs, makeRequest } from "./support/guard_harness.ts";
import { testAuthEnv } from "./support/tokens.ts";

const FUNCTIONS = [
  ["odoo-crm-sync", crm.createHandler],
  ["odoo-chatter-sync", chatter.createHandler],
  ["bot-scheduler", scheduler.createHandler],
  ["bot-executor", executor.createHandler],
  ["check-sla-breaches", sla.createHandler],
] as const;

Deno.test("each function logs its cold start once, on its instance's first request", async (t) => {
  const sql = connect(await testDatabaseUrl());
  try {
    for (const [name, createHandler] of FUNCTIONS) {
      await t.step(name, async () => {
        const logs = captureLogs();
        const handler = createHandler({ env: testAuthEnv(), sql, logger: logs.logger });
        for (let i = 0; i < 3; i++) {
          const res = await handler(makeRequest({ method: "POST" }));
          assert.equal(res.status, 401);
        }
        const cold = logs.events().filter((e) => e.event === "function_cold_start");
        assert.equal(cold.length, 1);
        assert.equal(cold[0].function_name, name);
        assert.ok(typeof cold[0].boot_ms === "number" && typeof cold[0].idle_ms === "number");
      });
    }
  } finally {
    await sql.end();
  }
});

Deno.test("withColdStartLog reports boot time and the idle time before the first request", async () => {
  const logs = captureLogs();
  let t = 1_250;
  const handler = withColdStartLog("fn", () => Promise.resolve(new Response("ok")), {
    logger: logs.logger,
    bootMs: 1_000,
    clock: () => t,
  });
  await handler(new Request("http://x/"));
  t = 9_000;
  await handler(new Request("http://x/"));
  const [e] = logs.events();
  assert.deepEqual([logs.lines.length, e.boot_ms, e.idle_ms, e.first_request], [
    1,
    1_000,
    250,
    true,
  ]);
});
