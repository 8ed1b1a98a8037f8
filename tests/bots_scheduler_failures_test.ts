/**
 * bot-scheduler never throws an executor failure away: every failed call is in
 * the response (502 executor_failed) and in one `bot_dispatch_failed` log line
 * with a plain-words hint. Also: CRON_SECRET unset, org-scoped ticks, bad input.
 */
import assert from "node:assert/strict";
import { createHandler } from "../supabase/functions/bot-scheduler/index.ts";
import { TEST_SECRET_KEY, TEST_SERVICE_ROLE_KEY, testAuthEnv } from "./support/tokens.ts";
import { captureLogs } from "./support/guard_harness.ts";
import {
  assertNoSecrets,
  call,
  type ExecutorReply,
  fakeExecutor,
  newBot,
  newOrg,
  withBotDb,
} from "./support/bots_fixtures.ts";

const NOW = new Date("2026-11-23T18:20:30Z");
const DUE = new Date("2026-11-23T18:00:00Z");
const tick = (json: unknown = {}) => call("bot-scheduler", { bearer: TEST_SERVICE_ROLE_KEY, json });

const untilAborted: ExecutorReply = (_bot, signal) =>
  new Promise((_, reject) =>
    signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")))
  );

// [executor behaviour, expected outcome, executor_status, error]
const CASES: [string, ExecutorReply, string, number | null, string | null][] = [
  [
    "401 invalid_token",
    () => Response.json({ error: "invalid_token" }, { status: 401 }),
    "dispatch_failed",
    401,
    "invalid_token",
  ],
  [
    "500 server_misconfigured",
    () => Response.json({ error: "server_misconfigured" }, { status: 500 }),
    "dispatch_failed",
    500,
    "server_misconfigured",
  ],
  [
    "network error",
    () => Promise.reject(new TypeError("connection refused")),
    "dispatch_failed",
    null,
    "executor_network_error",
  ],
  ["no answer in time", untilAborted, "dispatch_failed", null, "executor_timeout"],
  [
    "an error code the catalogue does not know",
    () => Response.json({ error: "odoo_unavailable" }, { status: 500 }),
    "dispatch_failed",
    500,
    "executor_http_error",
  ],
  [
    "200 but not the executor's answer",
    () => new Response("ok"),
    "dispatch_failed",
    200,
    "executor_bad_response",
  ],
  [
    "webhook failed (a recorded run)",
    () => Response.json({ status: "failed", run_id: 7, error: "webhook_http_error" }),
    "failed",
    200,
    "webhook_http_error",
  ],
  ["duplicate", () => Response.json({ status: "already_ran" }), "already_ran", 200, null],
  [
    "bot deleted since the claim",
    () => Response.json({ error: "bot_not_found" }, { status: 404 }),
    "skipped",
    404,
    "bot_not_found",
  ],
  [
    "bot disabled since the claim",
    () => Response.json({ error: "bot_disabled" }, { status: 409 }),
    "skipped",
    409,
    "bot_disabled",
  ],
];

Deno.test("bot-scheduler: executor failures are in the response and the log", () =>
  withBotDb(async ({ sql, org }) => {
    const byBot = new Map<string, (typeof CASES)[number]>();
    for (const c of CASES) {
      byBot.set(
        await newBot(sql, {
          org_id: org,
          webhook_url: "http://127.0.0.1:9/",
          next_run_at: DUE,
          timeout_ms: 100,
        }),
        c,
      );
    }
    const executor = fakeExecutor((bot, signal) => byBot.get(bot)![1](bot, signal));
    const { logger, lines, events } = captureLogs();
    const handler = createHandler({
      sql,
      env: testAuthEnv(),
      fetch: executor.fetch,
      now: () => NOW,
      logger,
      executorGraceMs: 50,
    });

    const res = await handler(tick());
    assert.equal(res.status, 502, "a failed executor call is not a 2xx");
    const report = await res.json();
    assert.equal(report.error, "executor_failed");
    const counts = ["due", "dispatch_failed", "failed", "already_ran", "skipped"].map((k) =>
      report[k]
    );
    assert.deepEqual(counts, [10, 6, 1, 1, 2]);
    const failures = events().filter((e) => e.event === "bot_dispatch_failed");
    assert.equal(failures.length, 6);
    for (const r of report.results) {
      const [name, , outcome, status, error] = byBot.get(r.bot_id)!;
      assert.deepEqual([r.outcome, r.executor_status, r.error], [outcome, status, error], name);
      const logged = failures.find((e) => e.bot_id === r.bot_id);
      assert.equal(logged !== undefined, outcome === "dispatch_failed", name);
      if (logged) assert.equal(logged.error, error, name);
    }
    const unauthorized = failures.find((e) => e.executor_status === 401);
    assert.match(String(unauthorized?.hint), /SUPABASE_SERVICE_ROLE_KEY .* must be the same/);
    const summary = events().find((e) => e.event === "bot_scheduler_finished");
    assert.equal(summary?.level, "error");
    assertNoSecrets(lines);
  }));

Deno.test("bot-scheduler: without CRON_SECRET it says so at start-up and sends only the service key", () =>
  withBotDb(async ({ sql, org }) => {
    await newBot(sql, { org_id: org, webhook_url: "http://127.0.0.1:9/", next_run_at: DUE });
    const env = testAuthEnv({ CRON_SECRET: undefined, SUPABASE_SERVICE_ROLE_KEY: undefined });
    const executor = fakeExecutor();
    const { logger, events } = captureLogs();
    const handler = createHandler({ sql, env, fetch: executor.fetch, now: () => NOW, logger });
    const startup = events().find((e) => e.event === "cron_secret_not_set");
    assert.equal(startup?.level, "info");
    assert.match(String(startup?.detail), /rely on the service key/);
    const res = await handler(call("bot-scheduler", { bearer: TEST_SECRET_KEY }));
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.equal(executor.calls.length, 1);
    assert.equal(executor.calls[0].headers.get("authorization"), `Bearer ${TEST_SECRET_KEY}`);
    assert.equal(executor.calls[0].headers.get("x-cron-secret"), null);
  }));

Deno.test("bot-scheduler: a service caller naming org_id ticks that organisation only", () =>
  withBotDb(async ({ sql, org }) => {
    const other = await newOrg(sql, "Other");
    const mine = await newBot(sql, {
      org_id: org,
      webhook_url: "http://127.0.0.1:9/",
      next_run_at: DUE,
    });
    await newBot(sql, { org_id: other, webhook_url: "http://127.0.0.1:9/", next_run_at: DUE });
    const executor = fakeExecutor();
    const handler = createHandler({
      sql,
      env: testAuthEnv(),
      fetch: executor.fetch,
      now: () => NOW,
      logger: () => {},
    });
    const report = await (await handler(tick({ org_id: org }))).json();
    assert.deepEqual(report.results.map((r: { bot_id: string }) => r.bot_id), [mine]);
  }));

Deno.test("bot-scheduler: a malformed body or org_id -> 400, nothing claimed", () =>
  withBotDb(async ({ sql, org }) => {
    await newBot(sql, { org_id: org, webhook_url: "http://127.0.0.1:9/", next_run_at: DUE });
    const executor = fakeExecutor();
    const handler = createHandler({
      sql,
      env: testAuthEnv(),
      fetch: executor.fetch,
      now: () => NOW,
      logger: () => {},
    });
    for (const json of [{ scheduled_for: "soon" }, { scheduled_for: 5 }, [1], { org_id: "acme" }]) {
      const res = await handler(tick(json));
      assert.equal(res.status, 400, JSON.stringify(json));
      assert.deepEqual(await res.json(), { error: "invalid_request" });
    }
    assert.equal(executor.calls.length, 0);
    const [{ n }] =
      await sql`select count(*)::int as n from public.bots where next_run_at = ${DUE}`;
    assert.equal(n, 1, "the bot is still due");
  }));
