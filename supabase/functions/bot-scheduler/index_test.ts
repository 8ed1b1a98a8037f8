/**
 * bot-scheduler against a real database, with bot-executor replaced by an
 * injected fetch: due-bot selection, next_run_at advancement without bursts,
 * overlapping runs, SKIP LOCKED, bounded concurrency, and executor failures.
 */
import assert from "node:assert/strict";
import { createHandler } from "./index.ts";
import { connect, resetAppData, type Sql, testDatabaseUrl } from "../../../tests/support/db.ts";
import {
  TEST_CRON_SECRET,
  TEST_SERVICE_ROLE_KEY,
  testAuthEnv,
} from "../../../tests/support/tokens.ts";
import { captureLogs } from "../../../tests/support/guard_harness.ts";
import {
  assertNoSecrets,
  call,
  fakeExecutor,
  newBot,
  newOrg,
} from "../../../tests/support/bots_fixtures.ts";

const DB_URL = await testDatabaseUrl();
const NOW = new Date("2026-11-23T18:20:30Z");
const EXECUTOR_URL = "http://127.0.0.1:54321/functions/v1/bot-executor";
const at = (iso: string) => new Date(iso);

const succeeded = () => Response.json({ status: "succeeded", run_id: 1 });

async function withDb(fn: (sql: Sql, org: string) => Promise<void>): Promise<void> {
  const sql = connect(DB_URL);
  try {
    await resetAppData(sql);
    await fn(sql, await newOrg(sql));
  } finally {
    await sql.end();
  }
}

const tick = (json: unknown = { scheduled_for: "2026-11-23T18:20:00+00:00" }) =>
  call("bot-scheduler", { bearer: TEST_SERVICE_ROLE_KEY, json });
const nextRunOf = async (sql: Sql, id: string) =>
  (await sql`select next_run_at from public.bots where id = ${id}`)[0].next_run_at.toISOString();
const hook = "http://127.0.0.1:9/unused";

Deno.test("bot-scheduler: picks enabled due bots, calls the executor, advances next_run_at without a burst", async () => {
  await withDb(async (sql, org) => {
    const bot = (next_run_at: Date, interval_minutes: number, enabled = true) =>
      newBot(sql, { org_id: org, webhook_url: hook, next_run_at, interval_minutes, enabled });
    const due = await bot(at("2026-11-23T18:20:00Z"), 5);
    const dueNow = await bot(NOW, 60);
    const outage = await bot(at("2026-11-20T18:00:00Z"), 60);
    const future = await bot(at("2026-11-23T18:21:00Z"), 5);
    const disabled = await bot(at("2026-11-23T18:00:00Z"), 5, false);
    const executor = fakeExecutor();
    const { logger, lines } = captureLogs();
    const handler = createHandler({
      sql,
      env: testAuthEnv(),
      fetch: executor.fetch,
      now: () => NOW,
      logger,
    });

    const res = await handler(tick());
    assert.equal(res.status, 200);
    const report = await res.json();
    assert.deepEqual([report.due, report.succeeded, report.dispatch_failed], [3, 3, 0]);
    assert.equal(report.scheduled_minute, "2026-11-23T18:20:00.000Z");
    assert.deepEqual(executor.calls.map((c) => c.body.bot_id).sort(), [due, dueNow, outage].sort());
    for (const c of executor.calls) {
      assert.equal(c.url, EXECUTOR_URL);
      assert.equal(c.headers.get("authorization"), `Bearer ${TEST_SERVICE_ROLE_KEY}`);
      assert.equal(c.headers.get("x-cron-secret"), TEST_CRON_SECRET);
      assert.deepEqual(Object.keys(c.body).sort(), ["bot_id", "scheduled_minute"]);
      assert.equal(c.body.scheduled_minute, "2026-11-23T18:20:00.000Z");
    }
    assert.equal(await nextRunOf(sql, due), "2026-11-23T18:25:00.000Z");
    assert.equal(await nextRunOf(sql, dueNow), "2026-11-23T19:20:30.000Z");
    assert.equal(await nextRunOf(sql, outage), "2026-11-23T19:00:00.000Z", "next slot, same phase");
    assert.equal(await nextRunOf(sql, future), "2026-11-23T18:21:00.000Z");
    assert.equal(await nextRunOf(sql, disabled), "2026-11-23T18:00:00.000Z");

    const again = await (await handler(tick())).json();
    assert.equal(again.due, 0, "the outage bot ran once, not once per missed hour");
    assert.equal(executor.calls.length, 3);
    assertNoSecrets(lines);
  });
});

Deno.test("bot-scheduler: two overlapping runs pick each due bot exactly once", async () => {
  await withDb(async (sql, org) => {
    const ids = await Promise.all(
      Array.from(
        { length: 12 },
        () =>
          newBot(sql, { org_id: org, webhook_url: hook, next_run_at: at("2026-11-23T18:00:00Z") }),
      ),
    );
    const executor = fakeExecutor(succeeded, 5);
    const other = connect(DB_URL);
    try {
      const handlers = [sql, other].map((pool) =>
        createHandler({
          sql: pool,
          env: testAuthEnv(),
          fetch: executor.fetch,
          now: () => NOW,
          logger: () => {},
        })
      );
      const reports = await Promise.all(handlers.map(async (h) => (await h(tick())).json()));
      assert.equal(reports[0].due + reports[1].due, 12);
      const picked = executor.calls.map((c) => c.body.bot_id);
      assert.deepEqual([...picked].sort(), [...ids].sort(), "every bot once, none twice");
    } finally {
      await other.end();
    }
  });
});

Deno.test("bot-scheduler: a bot locked by another transaction is skipped, not waited for", async () => {
  await withDb(async (sql, org) => {
    const locked = await newBot(sql, {
      org_id: org,
      webhook_url: hook,
      next_run_at: at("2026-11-23T18:00:00Z"),
    });
    const free = await newBot(sql, {
      org_id: org,
      webhook_url: hook,
      next_run_at: at("2026-11-23T18:00:00Z"),
    });
    const executor = fakeExecutor();
    const other = connect(DB_URL);
    const handler = createHandler({
      sql: other,
      env: testAuthEnv(),
      fetch: executor.fetch,
      now: () => NOW,
      logger: () => {},
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await sql.begin(async (tx) => {
        await tx`select id from public.bots where id = ${locked} for update`;
        const gaveUp = new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error("the scheduler waited for a locked bot")),
            5_000,
          );
        });
        const report = await Promise.race([handler(tick()).then((r) => r.json()), gaveUp]);
        assert.deepEqual(
          (report as { results: { bot_id: string }[] }).results.map((r) => r.bot_id),
          [free],
        );
      });
      const later = await (await handler(tick())).json();
      assert.deepEqual(later.results.map((r: { bot_id: string }) => r.bot_id), [locked]);
    } finally {
      clearTimeout(timer);
      await other.end();
    }
  });
});

Deno.test("bot-scheduler: executor calls run with bounded concurrency", async () => {
  await withDb(async (sql, org) => {
    for (let i = 0; i < 7; i++) {
      await newBot(sql, {
        org_id: org,
        webhook_url: hook,
        next_run_at: at("2026-11-23T18:00:00Z"),
      });
    }
    const executor = fakeExecutor(succeeded, 20);
    const handler = createHandler({
      sql,
      env: testAuthEnv(),
      fetch: executor.fetch,
      now: () => NOW,
      logger: () => {},
      concurrency: 2,
    });
    const report = await (await handler(tick())).json();
    assert.equal(report.succeeded, 7);
    assert.equal(executor.maxInFlight(), 2);
  });
});
