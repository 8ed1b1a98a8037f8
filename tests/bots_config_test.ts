/**
 * Missing settings are loud: at start-up one `function_misconfigured` error
 * names every missing setting (never a value), and every request from an
 * authenticated caller gets 500 server_misconfigured, logged again, with no
 * database use and no call to bot-executor.
 */
import assert from "node:assert/strict";
import { createHandler as scheduler } from "../supabase/functions/bot-scheduler/index.ts";
import { createHandler as executor } from "../supabase/functions/bot-executor/index.ts";
import { createHandler as sla } from "../supabase/functions/check-sla-breaches/index.ts";
import type { Sql } from "./support/db.ts";
import { TEST_CRON_SECRET, TEST_SERVICE_ROLE_KEY, testAuthEnv } from "./support/tokens.ts";
import { captureLogs } from "./support/guard_harness.ts";
import { assertNoSecrets, call, type CallSpec } from "./support/bots_fixtures.ts";

const SERVICE_KEY = "SUPABASE_SERVICE_ROLE_KEY (or SUPABASE_SECRET_KEYS)";
const NO_KEYS = { SUPABASE_SERVICE_ROLE_KEY: undefined, SUPABASE_SECRET_KEYS: undefined };
const DB_URL = { SUPABASE_DB_URL: "postgres://postgres:db-password-never-logged@127.0.0.1:1/x" };

interface Case {
  name: string;
  factory: typeof scheduler | typeof executor | typeof sla;
  fn: string;
  env: Record<string, string | undefined>;
  /** Inject a pool (so SUPABASE_DB_URL is not needed). */
  injectSql: boolean;
  caller: CallSpec;
  missing: string[];
  /** The guard itself refuses to run (its own settings are incomplete). */
  guardEvent?: string;
}

const service: CallSpec = { bearer: TEST_SERVICE_ROLE_KEY };
const CASES: Case[] = [
  {
    name: "no SUPABASE_DB_URL",
    factory: scheduler,
    fn: "bot-scheduler",
    env: {},
    injectSql: false,
    caller: service,
    missing: ["SUPABASE_DB_URL"],
  },
  {
    name: "no service key (the caller uses the cron secret)",
    factory: scheduler,
    fn: "bot-scheduler",
    env: NO_KEYS,
    injectSql: true,
    caller: { cronSecret: TEST_CRON_SECRET },
    missing: [SERVICE_KEY],
  },
  {
    name: "no SUPABASE_URL",
    factory: scheduler,
    fn: "bot-scheduler",
    env: { ...DB_URL, SUPABASE_URL: undefined },
    injectSql: false,
    caller: service,
    missing: ["SUPABASE_URL"],
    guardEvent: "auth_config_invalid",
  },
  {
    name: "nothing but the cron secret",
    factory: scheduler,
    fn: "bot-scheduler",
    env: { ...NO_KEYS, SUPABASE_URL: undefined, JWT_SECRET: undefined },
    injectSql: false,
    caller: { cronSecret: TEST_CRON_SECRET },
    missing: ["SUPABASE_URL", "SUPABASE_DB_URL", SERVICE_KEY],
  },
  {
    name: "no SUPABASE_DB_URL",
    factory: executor,
    fn: "bot-executor",
    env: {},
    injectSql: false,
    caller: service,
    missing: ["SUPABASE_DB_URL"],
  },
  {
    name: "no SUPABASE_DB_URL",
    factory: sla,
    fn: "check-sla-breaches",
    env: {},
    injectSql: false,
    caller: service,
    missing: ["SUPABASE_DB_URL"],
  },
];

const untouchable = new Proxy(() => {}, {
  get: () => assert.fail("the database was used"),
  apply: () => assert.fail("the database was used"),
}) as unknown as Sql;

for (const c of CASES) {
  Deno.test(`${c.fn}: ${c.name} -> start-up error naming it, then 500 server_misconfigured`, async () => {
    const { logger, lines, events } = captureLogs();
    const fetched: string[] = [];
    const fetchTrap: typeof fetch = (input) => {
      fetched.push(String(input));
      return Promise.reject(new Error("no outside call expected"));
    };
    const handler = c.factory({
      env: testAuthEnv(c.env),
      logger,
      fetch: fetchTrap,
      ...(c.injectSql ? { sql: untouchable } : {}),
    });
    const startup = events();
    assert.deepEqual(startup.map((e) => e.event).filter((e) => e === "function_misconfigured"), [
      "function_misconfigured",
    ]);
    const line = startup.find((e) => e.event === "function_misconfigured")!;
    assert.deepEqual([line.level, line.function, line.missing_settings], [
      "error",
      c.fn,
      c.missing,
    ]);

    for (let i = 0; i < 2; i++) {
      const res = await handler(call(c.fn, { ...c.caller, json: {} }));
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), { error: "server_misconfigured" });
    }
    // (The guard announces its own problems once, on first use, as phase "startup".)
    const perRequest = events().slice(startup.length).filter((e) =>
      e.level === "error" && e.phase !== "startup"
    );
    assert.equal(perRequest.length, 2, "logged again on every request");
    for (const e of perRequest) {
      assert.equal(e.event, c.guardEvent ?? "request_rejected_misconfigured");
      if (!c.guardEvent) assert.deepEqual(e.missing_settings, c.missing);
    }
    assert.deepEqual(fetched, []);
    assertNoSecrets(lines, [DB_URL.SUPABASE_DB_URL, "db-password-never-logged"]);
  });
}
