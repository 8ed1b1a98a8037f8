/**
 * Every log line a function writes carries `function_name` (issue 23): a
 * representative set of events of each function, from start-up (a missing
 * setting), the guard (a refused token, a refused method), the misconfigured
 * answer and the cold start, all through the logger the start-up builds.
 */
import assert from "node:assert/strict";
import * as crm from "../supabase/functions/odoo-crm-sync/index.ts";
import * as chatter from "../supabase/functions/odoo-chatter-sync/index.ts";
import * as scheduler from "../supabase/functions/bot-scheduler/index.ts";
import * as executor from "../supabase/functions/bot-executor/index.ts";
import * as sla from "../supabase/functions/check-sla-breaches/index.ts";
import * as status from "../supabase/functions/integration-status/index.ts";
import { captureLogs, makeRequest } from "./support/guard_harness.ts";
import { TEST_SERVICE_ROLE_KEY, testAuthEnv } from "./support/tokens.ts";

const FUNCTIONS = [
  ["odoo-crm-sync", crm.createHandler, "POST"],
  ["odoo-chatter-sync", chatter.createHandler, "POST"],
  ["bot-scheduler", scheduler.createHandler, "POST"],
  ["bot-executor", executor.createHandler, "POST"],
  ["check-sla-breaches", sla.createHandler, "POST"],
  ["integration-status", status.createHandler, "GET"],
] as const;

const EVENTS = [
  "function_misconfigured",
  "function_cold_start",
  "auth_rejected",
  "request_refused",
  "request_rejected_misconfigured",
];

Deno.test("every function's log lines carry function_name", async (t) => {
  for (const [name, createHandler, method] of FUNCTIONS) {
    await t.step(name, async () => {
      const logs = captureLogs();
      // No SUPABASE_DB_URL and no pool: the start-up logs the missing setting.
      const handler = createHandler({ env: testAuthEnv(), logger: logs.logger });
      await handler(makeRequest({ method, bearer: "not-a-token" }));
      await handler(makeRequest({ method: method === "GET" ? "POST" : "GET" }));
      await handler(
        makeRequest({
          method,
          bearer: TEST_SERVICE_ROLE_KEY,
          query: { org_id: "0f4b5c8e-1a2b-4c3d-8e9f-00000000000a" },
        }),
      );
      const events = logs.events();
      // integration-status logs no cold start (not wrapped by withColdStartLog).
      for (
        const event of EVENTS.filter((e) => name !== "integration-status" || !e.includes("cold"))
      ) {
        assert.ok(events.some((e) => e.event === event), `${name} logs ${event}`);
      }
      const untagged = events.filter((e) => e.function_name !== name).map((e) => e.event);
      assert.deepEqual(untagged, [], `${name}: lines without its function_name`);
    });
  }
});
