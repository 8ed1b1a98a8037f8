/**
 * Issue 10's shared request rule, over all five functions (table-driven):
 * a method other than POST (and OPTIONS) -> 405 method_not_allowed with
 * `Allow: POST, OPTIONS`, before authentication; a body that is not empty or a
 * JSON object -> 400 invalid_request right after authentication, before any
 * work. No database here: a request that passed both rules reaches the
 * handler, which answers 500 server_misconfigured (SUPABASE_DB_URL unset).
 */
import assert from "node:assert/strict";
import * as botExecutor from "../supabase/functions/bot-executor/index.ts";
import * as botScheduler from "../supabase/functions/bot-scheduler/index.ts";
import * as checkSla from "../supabase/functions/check-sla-breaches/index.ts";
import * as chatter from "../supabase/functions/odoo-chatter-sync/index.ts";
import * as crm from "../supabase/functions/odoo-crm-sync/index.ts";
import { captureLogs } from "./support/guard_harness.ts";
import { TEST_SERVICE_ROLE_KEY, testAuthEnv } from "./support/tokens.ts";

const FUNCTIONS = {
  "bot-executor": botExecutor.createHandler,
  "bot-scheduler": botScheduler.createHandler,
  "check-sla-breaches": checkSla.createHandler,
  "odoo-chatter-sync": chatter.createHandler,
  "odoo-crm-sync": crm.createHandler,
};

interface RuleCase {
  name: string;
  method: string;
  body?: string;
  contentType?: string;
  authorized?: boolean;
  status: number;
  error: string | null;
}

const CASES: RuleCase[] = [
  { name: "GET", method: "GET", status: 405, error: "method_not_allowed" },
  {
    name: "PUT with a JSON body",
    method: "PUT",
    body: "{}",
    status: 405,
    error: "method_not_allowed",
  },
  { name: "DELETE", method: "DELETE", status: 405, error: "method_not_allowed" },
  {
    name: "PATCH, unauthenticated",
    method: "PATCH",
    authorized: false,
    status: 405,
    error: "method_not_allowed",
  },
  {
    name: "truncated JSON",
    method: "POST",
    body: '{"org_id": "',
    status: 400,
    error: "invalid_request",
  },
  { name: "garbage", method: "POST", body: "garbage", status: 400, error: "invalid_request" },
  { name: "a JSON array", method: "POST", body: "[1,2]", status: 400, error: "invalid_request" },
  { name: "a JSON string", method: "POST", body: '"x"', status: 400, error: "invalid_request" },
  {
    name: "form fields",
    method: "POST",
    body: "mode=full",
    contentType: "application/x-www-form-urlencoded",
    status: 400,
    error: "invalid_request",
  },
  {
    name: "garbage, unauthenticated: 401 first",
    method: "POST",
    body: "garbage",
    authorized: false,
    status: 401,
    error: "missing_authorization",
  },
  { name: "OPTIONS preflight", method: "OPTIONS", authorized: false, status: 204, error: null },
  {
    name: "control: an empty body passes both rules",
    method: "POST",
    status: 500,
    error: "server_misconfigured",
  },
  {
    name: "control: {} passes both rules",
    method: "POST",
    body: "{}",
    status: 500,
    error: "server_misconfigured",
  },
];

function request(c: RuleCase): Request {
  const headers = new Headers();
  if (c.authorized !== false) headers.set("Authorization", `Bearer ${TEST_SERVICE_ROLE_KEY}`);
  if (c.body !== undefined) headers.set("Content-Type", c.contentType ?? "application/json");
  return new Request("http://localhost:54321/functions/v1/fn", {
    method: c.method,
    headers,
    body: c.body,
  });
}

for (const [fn, createHandler] of Object.entries(FUNCTIONS)) {
  Deno.test(`request rules: ${fn}`, async (t) => {
    const logs = captureLogs();
    const handler = createHandler({ env: testAuthEnv(), logger: logs.logger });
    for (const c of CASES) {
      await t.step(`${c.name} -> ${c.status}`, async () => {
        const res = await handler(request(c));
        const text = await res.text();
        assert.equal(res.status, c.status);
        assert.deepEqual(text === "" ? null : JSON.parse(text).error, c.error);
        assert.equal(res.headers.get("Access-Control-Allow-Origin"), "*");
        const allow = c.status === 405 ? "POST, OPTIONS" : null;
        assert.equal(res.headers.get("Allow"), allow);
      });
    }
    const refused = logs.events().filter((e) => e.event === "request_refused");
    assert.equal(refused.length, CASES.filter((c) => c.status === 400 || c.status === 405).length);
    assert.ok(refused.every((e) => e.function_name === fn && e.level === "warn"));
  });
}
