/**
 * bot-executor refusals: another organisation's bot (403 org_scope_violation,
 * nothing of that bot read into memory, logged or run), unknown and disabled
 * bots, malformed bodies. Nothing is run or recorded for any of them.
 */
import assert from "node:assert/strict";
import { createHandler } from "../supabase/functions/bot-executor/index.ts";
import type { Sql } from "./support/db.ts";
import {
  mintAdminToken,
  TEST_SECRET_KEY,
  TEST_SERVICE_ROLE_KEY,
  testAuthEnv,
} from "./support/tokens.ts";
import { captureLogs } from "./support/guard_harness.ts";
import { call, newBot, newOrg, withBotDb } from "./support/bots_fixtures.ts";

const MINUTE = "2026-11-23T18:00:00.000Z";

function executor(sql: Sql) {
  const capture = captureLogs();
  return { handler: createHandler({ sql, env: testAuthEnv(), logger: capture.logger }), capture };
}

const service = (json: unknown) => call("bot-executor", { bearer: TEST_SERVICE_ROLE_KEY, json });
const runsOf = (sql: Sql, bot: string) => sql`select id from public.bot_runs where bot_id = ${bot}`;

Deno.test("bot-executor: another org's bot -> 403 org_scope_violation, nothing read or run", async (t) => {
  await withBotDb(async ({ sql, receiver, org }) => {
    const otherOrg = await newOrg(sql, "Other");
    const bot = await newBot(sql, { org_id: org, webhook_url: receiver.url("ok") });
    const cases = [
      {
        name: "admin of another org",
        bearer: await mintAdminToken(otherOrg),
        json: { bot_id: bot },
      },
      {
        name: "service caller scoped to another org",
        bearer: TEST_SECRET_KEY,
        json: { bot_id: bot, org_id: otherOrg },
      },
    ];
    for (const c of cases) {
      await t.step(c.name, async () => {
        const { handler, capture } = executor(sql);
        const res = await handler(call("bot-executor", { bearer: c.bearer, json: c.json }));
        assert.equal(res.status, 403);
        assert.equal(await res.text(), '{"error":"org_scope_violation"}');
        const rejected = capture.events().find((e) => e.event === "auth_rejected");
        assert.equal(rejected?.function_name, "bot-executor");
        assert.equal(rejected?.error, "org_scope_violation");
        assert.ok(!capture.lines.join("\n").includes(org), "the bot's org is never logged");
      });
    }
    assert.equal(receiver.received.length, 0);
    assert.equal((await runsOf(sql, bot)).length, 0);
  });
});

Deno.test("bot-executor: unknown, disabled and malformed requests", async (t) => {
  await withBotDb(async ({ sql, receiver, org }) => {
    const disabled = await newBot(sql, {
      org_id: org,
      webhook_url: receiver.url("ok"),
      enabled: false,
    });
    const unknown = crypto.randomUUID();
    const admin = await mintAdminToken(org);
    const cases: [string, Request, number, string][] = [
      ["unknown bot, service", service({ bot_id: unknown }), 404, "bot_not_found"],
      [
        "unknown bot, admin",
        call("bot-executor", { bearer: admin, json: { bot_id: unknown } }),
        404,
        "bot_not_found",
      ],
      [
        "disabled bot",
        service({ bot_id: disabled, scheduled_minute: MINUTE }),
        409,
        "bot_disabled",
      ],
      ["no bot_id", service({}), 400, "invalid_request"],
      ["bot_id not a uuid", service({ bot_id: "1; drop table bots" }), 400, "invalid_request"],
      [
        "bad scheduled_minute",
        service({ bot_id: unknown, scheduled_minute: "yesterday" }),
        400,
        "invalid_request",
      ],
      [
        "body not JSON",
        new Request(service({}).url, {
          method: "POST",
          headers: { Authorization: `Bearer ${TEST_SERVICE_ROLE_KEY}` },
          body: "bot=1",
        }),
        400,
        "invalid_request",
      ],
    ];
    for (const [name, req, status, error] of cases) {
      await t.step(name, async () => {
        const res = await executor(sql).handler(req);
        assert.equal(res.status, status);
        assert.deepEqual(await res.json(), { error });
      });
    }
    assert.equal(receiver.received.length, 0);
    const [{ n }] = await sql`select count(*)::int as n from public.bot_runs`;
    assert.equal(n, 0);
  });
});
