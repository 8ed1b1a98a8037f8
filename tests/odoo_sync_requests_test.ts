/**
 * Both sync functions, table-driven: requests the guard accepts but the sync
 * refuses (405/400, nothing written), an organization without credentials
 * (credential_missing, 502 when every org failed), and a missing
 * SUPABASE_DB_URL (500 server_misconfigured, named in the log, CORS kept).
 */
import assert from "node:assert/strict";
import * as crm from "../supabase/functions/odoo-crm-sync/index.ts";
import * as chatter from "../supabase/functions/odoo-chatter-sync/index.ts";
import { connect, resetAppData, type Sql, testDatabaseUrl } from "./support/db.ts";
import { captureLogs, makeRequest } from "./support/guard_harness.ts";
import { TEST_SECRETS, TEST_SERVICE_ROLE_KEY, testAuthEnv } from "./support/tokens.ts";

const FUNCTIONS = [
  { name: "odoo-crm-sync", createHandler: crm.createHandler },
  { name: "odoo-chatter-sync", createHandler: chatter.createHandler },
];
const service = (json: unknown) =>
  makeRequest({ method: "POST", bearer: TEST_SERVICE_ROLE_KEY, json });

const tally = async (sql: Sql) =>
  (await sql`select (select count(*) from public.sync_runs)::int as runs,
    (select count(*) from public.sync_cursors)::int as cursors,
    (select count(*) from public.crm_leads)::int as leads,
    (select count(*) from public.crm_lead_messages)::int as messages`)[0];

Deno.test("requests the sync refuses after the guard: 405 / 400, nothing written", async (t) => {
  const sql = connect(await testDatabaseUrl());
  try {
    await resetAppData(sql);
    const cases: [string, Request, number, string][] = [
      [
        "GET",
        makeRequest({ method: "GET", bearer: TEST_SERVICE_ROLE_KEY }),
        405,
        "method_not_allowed",
      ],
      [
        "body not JSON",
        makeRequest({ bearer: TEST_SERVICE_ROLE_KEY, body: "{not json" }),
        400,
        "invalid_request",
      ],
      ["body not an object", service([1, 2]), 400, "invalid_request"],
      ["unknown mode", service({ mode: "everything" }), 400, "invalid_request"],
      [
        "scheduled_for not a timestamp",
        service({ scheduled_for: "yesterday" }),
        400,
        "invalid_request",
      ],
      ["org_id not a uuid", service({ org_id: "acme" }), 400, "invalid_request"],
    ];
    for (const fn of FUNCTIONS) {
      const logs = captureLogs();
      const handler = fn.createHandler({ env: testAuthEnv(), sql, logger: logs.logger });
      for (const [name, req, status, error] of cases) {
        await t.step(`${fn.name}: ${name}`, async () => {
          const res = await handler(req.clone());
          assert.deepEqual([res.status, await res.json()], [status, { error }]);
        });
      }
      // GET and a body that is not JSON are refused by withAuth's shared rule, the rest by the sync.
      const refusals = logs.events().filter((e) =>
        e.event === "sync_request_invalid" || e.event === "request_refused"
      );
      assert.equal(refusals.length, cases.length);
      for (const line of logs.lines) for (const s of TEST_SECRETS) assert.ok(!line.includes(s));
    }
    assert.deepEqual(await tally(sql), { runs: 0, cursors: 0, leads: 0, messages: 0 });
  } finally {
    await sql.end();
  }
});

Deno.test("an org without an odoo credential -> credential_missing; all orgs failed -> 502", async () => {
  const sql = connect(await testDatabaseUrl());
  try {
    await resetAppData(sql);
    const orgId = crypto.randomUUID();
    await sql`insert into public.organizations (id, name) values (${orgId}, 'No credentials')`;
    for (const fn of FUNCTIONS) {
      const handler = fn.createHandler({ env: testAuthEnv(), sql, logger: () => {} });
      const res = await handler(service({ org_id: orgId }));
      const body = await res.json();
      assert.deepEqual([res.status, body.status], [502, "failed"], fn.name);
      assert.deepEqual(body.organizations, [
        {
          org_id: orgId,
          status: "error",
          error: "credential_missing",
          fetched: 0,
          upserted: 0,
          pages: 0,
          deleted: 0,
        },
      ]);
      const [run] =
        await sql`select status, error_summary from public.sync_runs where id = ${body.run_id}`;
      assert.deepEqual([run.status, run.error_summary], ["failed", "credential_missing"]);
    }
  } finally {
    await sql.end();
  }
});

Deno.test("missing SUPABASE_DB_URL -> logged at start-up; 500 server_misconfigured once the guard passes", async () => {
  for (const fn of FUNCTIONS) {
    const logs = captureLogs();
    const handler = fn.createHandler({ env: testAuthEnv(), logger: logs.logger });
    const cases: [Request, number, string][] = [
      [service({}), 500, "server_misconfigured"],
      [makeRequest({ method: "POST", json: {} }), 401, "missing_authorization"],
    ];
    for (const [req, status, error] of cases) {
      const res = await handler(req);
      assert.deepEqual([res.status, await res.json()], [status, { error }]);
      assert.equal(res.headers.get("Access-Control-Allow-Origin"), "*", "the browser can read it");
    }
    const named = logs.events().filter((e) => e.function === fn.name);
    assert.deepEqual(named.map((e) => [e.event, e.missing_settings]), [
      ["function_misconfigured", ["SUPABASE_DB_URL"]],
      ["request_rejected_misconfigured", ["SUPABASE_DB_URL"]],
    ]);
    for (const line of logs.lines) for (const s of TEST_SECRETS) assert.ok(!line.includes(s));
  }
});
