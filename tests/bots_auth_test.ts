/**
 * The guard in front of bot-scheduler, bot-executor and check-sla-breaches:
 * every 401 and 403 path, one Deno.test per (function, case). The database and
 * fetch handed to the functions are traps: any use before the guard passed
 * fails the case. Each rejection is one `auth_rejected` line naming the function.
 */
import assert from "node:assert/strict";
import { createHandler as scheduler } from "../supabase/functions/bot-scheduler/index.ts";
import { createHandler as executor } from "../supabase/functions/bot-executor/index.ts";
import { createHandler as sla } from "../supabase/functions/check-sla-breaches/index.ts";
import type { Sql } from "./support/db.ts";
import {
  mintAdminToken,
  mintUserToken,
  TEST_ANON_KEY,
  TEST_PUBLISHABLE_KEY,
  testAuthEnv,
} from "./support/tokens.ts";
import { captureLogs, ORG_A, ORG_B } from "./support/guard_harness.ts";
import { assertNoSecrets, call, type CallSpec } from "./support/bots_fixtures.ts";

type Factory = typeof scheduler | typeof executor | typeof sla;
const FUNCTIONS: [string, Factory][] = [
  ["bot-scheduler", scheduler],
  ["bot-executor", executor],
  ["check-sla-breaches", sla],
];

const BOT_ID = "6f1c2d3e-4a5b-4c6d-8e7f-000000000001";
const HOUR = 3600;
const iat = Math.floor(Date.now() / 1000);

interface Case {
  name: string;
  spec: () => CallSpec | Promise<CallSpec>;
  status: number;
  error: string;
  reason: string;
  only?: string[];
  event?: string;
}

const admin = (org = ORG_A, o = {}) => mintAdminToken(org, { sub: "admin-a", ...o });
const CASES: Case[] = [
  {
    name: "no credentials",
    spec: () => ({}),
    status: 401,
    error: "missing_authorization",
    reason: "no_credentials",
  },
  {
    name: "the anon key (the old cron jobs' mistake)",
    spec: () => ({ bearer: TEST_ANON_KEY }),
    status: 401,
    error: "invalid_token",
    reason: "anon_or_publishable_key",
  },
  {
    name: "a publishable key",
    spec: () => ({ bearer: TEST_PUBLISHABLE_KEY }),
    status: 401,
    error: "invalid_token",
    reason: "anon_or_publishable_key",
  },
  {
    name: "a malformed token",
    spec: () => ({ bearer: "not.a.jwt" }),
    status: 401,
    error: "invalid_token",
    reason: "malformed",
  },
  {
    name: "an expired admin token",
    spec: async () => ({ bearer: await admin(ORG_A, { iat: iat - 2 * HOUR, exp: iat - HOUR }) }),
    status: 401,
    error: "invalid_token",
    reason: "expired",
  },
  {
    name: "a wrong x-cron-secret and nothing else",
    spec: () => ({ cronSecret: "guessed-cron-secret-value-000000" }),
    status: 401,
    error: "missing_authorization",
    reason: "no_credentials",
    event: "cron_secret_mismatch",
  },
  {
    name: "a signed-in user who is not an integration admin",
    spec: async () => ({ bearer: await mintUserToken({ sub: "plain-user" }) }),
    status: 403,
    error: "insufficient_permissions",
    reason: "not_integration_admin",
    only: ["bot-executor"],
  },
  {
    name: "a signed-in user",
    spec: async () => ({ bearer: await mintUserToken({ sub: "plain-user" }) }),
    status: 403,
    error: "insufficient_permissions",
    reason: "user_tokens_not_allowed",
    only: ["bot-scheduler", "check-sla-breaches"],
  },
  {
    name: "an integration admin (cron functions are service-only)",
    spec: async () => ({ bearer: await admin() }),
    status: 403,
    error: "insufficient_permissions",
    reason: "user_tokens_not_allowed",
    only: ["bot-scheduler", "check-sla-breaches"],
  },
  {
    name: "an admin naming another org",
    spec: async () => ({ bearer: await admin(), json: { bot_id: BOT_ID, org_id: ORG_B } }),
    status: 403,
    error: "org_scope_violation",
    reason: "org_mismatch",
    only: ["bot-executor"],
  },
];

/** A database and a fetch that fail the test when used. */
function traps() {
  const used: string[] = [];
  const sql = new Proxy(() => {}, {
    get: (_t, prop) => {
      used.push(`sql.${String(prop)}`);
      throw new Error("database used before the guard passed");
    },
    apply: () => {
      used.push("sql``");
      throw new Error("database used before the guard passed");
    },
  }) as unknown as Sql;
  const fetchTrap: typeof fetch = () => {
    used.push("fetch");
    return Promise.reject(new Error("outside call before the guard passed"));
  };
  return { sql, fetch: fetchTrap, used };
}

for (const [fn, factory] of FUNCTIONS) {
  for (const c of CASES.filter((c) => c.only === undefined || c.only.includes(fn))) {
    Deno.test(`${fn}: ${c.name} -> ${c.status} ${c.error}`, async () => {
      const { logger, lines, events } = captureLogs();
      const trap = traps();
      const handler = factory({ sql: trap.sql, fetch: trap.fetch, env: testAuthEnv(), logger });
      const spec = await c.spec();
      const res = await handler(call(fn, { json: { bot_id: BOT_ID }, ...spec }));
      assert.equal(res.status, c.status);
      assert.equal(await res.text(), JSON.stringify({ error: c.error }));
      assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer realm=/);
      assert.deepEqual(trap.used, []);
      const rejected = events().filter((e) => e.event === "auth_rejected");
      assert.equal(rejected.length, 1);
      assert.deepEqual([rejected[0].function_name, rejected[0].rejection_reason], [fn, c.reason]);
      if (c.event) assert.ok(events().some((e) => e.event === c.event && e.function_name === fn));
      assertNoSecrets(lines, spec.bearer ? [spec.bearer] : []);
    });
  }
}
