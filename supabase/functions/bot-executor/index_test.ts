/**
 * bot-executor against a real database and a webhook receiver on 127.0.0.1:
 * webhook outcomes recorded, payload delivered, idempotency per (bot, minute),
 * "run now" by an admin. Refusals: tests/bots_executor_refusals_test.ts.
 */
import assert from "node:assert/strict";
import { createHandler } from "./index.ts";
import type { Sql } from "../../../tests/support/db.ts";
import {
  mintAdminToken,
  TEST_CRON_SECRET,
  TEST_SECRET_KEY,
  TEST_SERVICE_ROLE_KEY,
  testAuthEnv,
} from "../../../tests/support/tokens.ts";
import { captureLogs } from "../../../tests/support/guard_harness.ts";
import {
  assertNoSecrets,
  call,
  closedPortUrl,
  newBot,
  withBotDb,
} from "../../../tests/support/bots_fixtures.ts";

const NOW = new Date("2026-11-23T18:20:42.500Z");
const NOW_MINUTE = "2026-11-23T18:20:00.000Z";
const MINUTE = "2026-11-23T18:00:00.000Z";

function executor(sql: Sql) {
  const capture = captureLogs();
  const handler = createHandler({
    sql,
    env: testAuthEnv(),
    logger: capture.logger,
    now: () => NOW,
  });
  return { handler, capture };
}

const service = (json: unknown) => call("bot-executor", { bearer: TEST_SERVICE_ROLE_KEY, json });
const runsOf = (sql: Sql, bot: string) =>
  sql`select status, http_status, error, response_excerpt, finished_at, scheduled_minute
    from public.bot_runs where bot_id = ${bot}`;

Deno.test("bot-executor: webhook success, HTTP error, timeout and network error are recorded", async (t) => {
  await withBotDb(async ({ sql, receiver, org }) => {
    const cases = [
      {
        name: "2xx",
        url: receiver.url("ok"),
        status: "succeeded",
        http: 200,
        error: null,
        excerpt: /"ok":true/,
      },
      {
        name: "500",
        url: receiver.url("fail"),
        status: "failed",
        http: 500,
        error: "webhook_http_error",
        excerpt: /^boom: upstream exploded$/,
      },
      {
        name: "timeout",
        url: receiver.url("slow"),
        status: "failed",
        http: null,
        error: "webhook_timeout",
        excerpt: /within 150 ms/,
      },
      {
        name: "network",
        url: closedPortUrl(),
        status: "failed",
        http: null,
        error: "webhook_network_error",
        excerpt: /^TypeError/,
      },
    ];
    for (const c of cases) {
      await t.step(c.name, async () => {
        const bot = await newBot(sql, { org_id: org, webhook_url: c.url, timeout_ms: 150 });
        const { handler, capture } = executor(sql);
        const res = await handler(service({ bot_id: bot, scheduled_minute: MINUTE }));
        assert.equal(res.status, 200);
        const body = await res.json();
        assert.deepEqual({ ...body, run_id: typeof body.run_id }, {
          status: c.status,
          run_id: "number",
          bot_id: bot,
          scheduled_minute: MINUTE,
          http_status: c.http,
          error: c.error,
        });
        const [run, ...more] = await runsOf(sql, bot);
        assert.equal(more.length, 0);
        assert.deepEqual([run.status, run.http_status, run.error], [c.status, c.http, c.error]);
        assert.match(run.response_excerpt, c.excerpt);
        assert.doesNotMatch(run.response_excerpt, /127\.0\.0\.1/, "no URL is stored");
        assert.ok(run.finished_at instanceof Date);
        const finished = capture.events().find((e) => e.event === "bot_run_finished");
        assert.equal(finished?.level, c.status === "succeeded" ? "info" : "warn");
        assert.equal(finished?.error, c.error);
        assertNoSecrets(capture.lines);
      });
    }
  });
});

Deno.test("bot-executor: the webhook receives the bot's payload as JSON with an idempotency key", async () => {
  await withBotDb(async ({ sql, receiver, org }) => {
    const payload = { text: "Leads need attention", count: 3, nested: { ok: true } };
    const bot = await newBot(sql, { org_id: org, webhook_url: receiver.url("ok"), payload });
    const res = await executor(sql).handler(service({ bot_id: bot, scheduled_minute: MINUTE }));
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.equal(receiver.received.length, 1);
    const [hit] = receiver.received;
    assert.deepEqual(JSON.parse(hit.body), payload);
    assert.equal(hit.headers.get("content-type"), "application/json");
    assert.equal(hit.headers.get("idempotency-key"), `${bot}:${MINUTE}`);
    assert.equal(hit.headers.get("authorization"), null, "no credential goes to the webhook");
  });
});

Deno.test("bot-executor: one run per bot and minute, even for concurrent duplicates", async () => {
  await withBotDb(async ({ sql, receiver, org }) => {
    const bot = await newBot(sql, { org_id: org, webhook_url: receiver.url("ok") });
    const { handler } = executor(sql);
    const twice = await Promise.all(
      [1, 2].map(() =>
        handler(service({ bot_id: bot, scheduled_minute: MINUTE })).then((r) => r.json())
      ),
    );
    assert.deepEqual(twice.map((b) => b.status).sort(), ["already_ran", "succeeded"]);
    const again = await (await handler(service({ bot_id: bot, scheduled_minute: MINUTE }))).json();
    assert.deepEqual(again, { status: "already_ran", bot_id: bot, scheduled_minute: MINUTE });
    assert.equal(receiver.received.length, 1, "the action ran once");
    assert.equal((await runsOf(sql, bot)).length, 1);
    const next = "2026-11-23T19:00:00.000Z";
    const later = await (await handler(service({ bot_id: bot, scheduled_minute: next }))).json();
    assert.equal(later.status, "succeeded", "another minute is another run");
    assert.equal(receiver.received.length, 2);
  });
});

Deno.test("bot-executor: run now by an admin of the bot's org uses the current minute", async () => {
  await withBotDb(async ({ sql, receiver, org }) => {
    const bot = await newBot(sql, { org_id: org, webhook_url: receiver.url("ok") });
    const { handler, capture } = executor(sql);
    const token = await mintAdminToken(org, { sub: "admin-of-org" });
    const body = { bot_id: bot, scheduled_minute: MINUTE };
    const res = await handler(call("bot-executor", { bearer: token, json: body }));
    assert.equal(res.status, 200);
    const answer = await res.json();
    assert.equal(answer.status, "succeeded");
    assert.equal(answer.scheduled_minute, NOW_MINUTE, "a user cannot pick the minute");
    const [run] = await runsOf(sql, bot);
    assert.equal(run.scheduled_minute.toISOString(), NOW_MINUTE);
    const finished = capture.events().find((e) => e.event === "bot_run_finished");
    assert.equal(finished?.caller_identity, "admin-of-org");
  });
});

Deno.test("bot-executor: service callers: the service_role key, a secret key, or the cron secret alone", () =>
  withBotDb(async ({ sql, receiver, org }) => {
    const bot = await newBot(sql, { org_id: org, webhook_url: receiver.url("ok") });
    const { handler, capture } = executor(sql);
    const callers = [
      { bearer: TEST_SERVICE_ROLE_KEY },
      { bearer: TEST_SECRET_KEY },
      { cronSecret: TEST_CRON_SECRET },
    ];
    for (const [i, caller] of callers.entries()) {
      const minute = `2026-11-23T1${i}:00:00.000Z`;
      const json = { bot_id: bot, scheduled_minute: minute };
      const res = await handler(call("bot-executor", { ...caller, json }));
      assert.deepEqual([res.status, (await res.json()).status], [200, "succeeded"], minute);
    }
    assert.equal(receiver.received.length, 3);
    assert.ok(capture.events().every((e) => e.event !== "auth_rejected"));
  }));
