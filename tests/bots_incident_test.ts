/**
 * The seed incident (shared/seeds/001): bot-scheduler has CRON_SECRET,
 * bot-executor does not. The old executor trusted only the cron secret and
 * answered a misleading "401 Invalid JWT". Now, with bot-scheduler wired to
 * the real bot-executor handler in-process (real database, real webhook):
 * - the call still succeeds through the service key, and bot-executor's log
 *   says in plain words that CRON_SECRET is not set (or does not match);
 * - with a wrong service key as well, bot-executor answers 401 invalid_token,
 *   its log says why, and bot-scheduler reports and logs the failed call.
 * No log line contains a key or secret.
 */
import assert from "node:assert/strict";
import { createHandler as createScheduler } from "../supabase/functions/bot-scheduler/index.ts";
import { createHandler as createExecutor } from "../supabase/functions/bot-executor/index.ts";
import type { Sql } from "./support/db.ts";
import {
  mintLegacyKey,
  newSecretKey,
  TEST_SECRET_KEY,
  TEST_SERVICE_ROLE_KEY,
  testAuthEnv,
} from "./support/tokens.ts";
import { captureLogs } from "./support/guard_harness.ts";
import {
  assertNoSecrets,
  call,
  executorFetch,
  newBot,
  withBotDb,
} from "./support/bots_fixtures.ts";

const NOW = new Date("2026-11-23T18:20:30Z");
const OTHER_CRON_SECRET = "a-stale-cron-secret-from-last-rotation-0123456789";
const ROTATED_LEGACY_KEY = await mintLegacyKey(
  "service_role",
  "the-jwt-secret-of-another-project-at-least-32-chars",
);
const REVOKED_SECRET_KEY = newSecretKey();

/** bot-scheduler (env `schedulerEnv`) calling bot-executor (env `executorEnv`) in-process. */
function wire(
  sql: Sql,
  schedulerEnv: Record<string, string | undefined>,
  executorEnv: Record<string, string | undefined>,
) {
  const executorLogs = captureLogs();
  const schedulerLogs = captureLogs();
  const executor = createExecutor({
    sql,
    env: testAuthEnv(executorEnv),
    logger: executorLogs.logger,
  });
  const wired = executorFetch(executor);
  const scheduler = createScheduler({
    sql,
    env: testAuthEnv(schedulerEnv),
    fetch: wired.fetch,
    now: () => NOW,
    logger: schedulerLogs.logger,
  });
  // pg_cron calls bot-scheduler with the service key from Vault.
  const tick = async () => {
    const res = await scheduler(
      call("bot-scheduler", {
        bearer: TEST_SECRET_KEY,
        json: { scheduled_for: "2026-11-23T18:20:00+00:00" },
      }),
    );
    return { status: res.status, report: await res.json() };
  };
  return { tick, wired, executorLogs, schedulerLogs };
}

const CRON_SECRET_CASES = [
  {
    name: "CRON_SECRET unset in bot-executor",
    executorEnv: { CRON_SECRET: undefined },
    event: "cron_secret_not_configured",
    detail: /CRON_SECRET is not set for this function/,
  },
  {
    name: "CRON_SECRET different in bot-executor",
    executorEnv: { CRON_SECRET: OTHER_CRON_SECRET },
    event: "cron_secret_mismatch",
    detail: /does not match CRON_SECRET/,
  },
];

for (const c of CRON_SECRET_CASES) {
  Deno.test(`incident: ${c.name} -> the run still succeeds via the service key, and the log says why`, () =>
    withBotDb(async ({ sql, receiver, org }) => {
      const bot = await newBot(sql, {
        org_id: org,
        webhook_url: receiver.url("ok"),
        next_run_at: new Date("2026-11-23T18:00:00Z"),
      });
      const { tick, wired, executorLogs, schedulerLogs } = wire(sql, {}, c.executorEnv);

      const { status, report } = await tick();
      assert.equal(status, 200);
      assert.deepEqual([report.due, report.succeeded, report.dispatch_failed], [1, 1, 0]);
      assert.equal(wired.requests.length, 1);
      assert.ok(
        wired.requests[0].headers.get("x-cron-secret"),
        "the scheduler did send its cron secret",
      );
      const [run] = await sql`select status from public.bot_runs where bot_id = ${bot}`;
      assert.equal(run.status, "succeeded");
      assert.equal(receiver.received.length, 1);

      const warning = executorLogs.events().find((e) => e.event === c.event);
      assert.equal(warning?.level, "warn");
      assert.equal(warning?.function_name, "bot-executor");
      assert.match(String(warning?.detail), c.detail);
      assert.ok(!executorLogs.events().some((e) => e.event === "auth_rejected"));
      assertNoSecrets([...executorLogs.lines, ...schedulerLogs.lines], [OTHER_CRON_SECRET]);
    }));
}

const WRONG_KEY_CASES = [
  {
    name: "a legacy service_role key of another project",
    key: ROTATED_LEGACY_KEY,
    reason: "service_jwt_bad_signature",
  },
  { name: "a revoked sb_secret_ key", key: REVOKED_SECRET_KEY, reason: "unknown_api_key" },
];

for (const c of WRONG_KEY_CASES) {
  Deno.test(`incident: no CRON_SECRET in bot-executor and ${c.name} -> 401 invalid_token, reported and explained`, () =>
    withBotDb(async ({ sql, receiver, org }) => {
      const bot = await newBot(sql, {
        org_id: org,
        webhook_url: receiver.url("ok"),
        next_run_at: new Date("2026-11-23T18:00:00Z"),
      });
      const { tick, executorLogs, schedulerLogs } = wire(
        sql,
        { SUPABASE_SERVICE_ROLE_KEY: c.key },
        { CRON_SECRET: undefined },
      );

      const { status, report } = await tick();
      assert.equal(status, 502);
      assert.equal(report.error, "executor_failed");
      assert.deepEqual(report.results, [{
        bot_id: bot,
        org_id: org,
        outcome: "dispatch_failed",
        executor_status: 401,
        error: "invalid_token",
        run_id: null,
      }]);

      // The instance's start-up lines (cold start, the tests' outbound allowance) are not part of the incident.
      const startUp = ["function_cold_start", "outbound_private_allowed"];
      const executorEvents = executorLogs.events().filter((e) =>
        !startUp.includes(String(e.event))
      );
      assert.deepEqual(executorEvents.map((e) => e.event), [
        "cron_secret_not_configured",
        "auth_rejected",
      ]);
      const rejected = executorEvents[1];
      assert.deepEqual([
        rejected.function_name,
        rejected.rejection_reason,
        rejected.error,
        rejected.caller_identity,
      ], ["bot-executor", c.reason, "invalid_token", "anonymous"]);

      const failed = schedulerLogs.events().find((e) => e.event === "bot_dispatch_failed");
      assert.deepEqual([failed?.level, failed?.bot_id, failed?.executor_status, failed?.error], [
        "error",
        bot,
        401,
        "invalid_token",
      ]);
      assert.match(String(failed?.hint), /refused the scheduler's credentials/);

      const [{ n }] = await sql`select count(*)::int as n from public.bot_runs`;
      assert.equal(n, 0);
      assert.equal(receiver.received.length, 0);
      assertNoSecrets([...executorLogs.lines, ...schedulerLogs.lines], [
        c.key,
        TEST_SERVICE_ROLE_KEY,
      ]);
    }));
}
