/**
 * odoo-crm-sync end to end through its handler: the guard's callers, org
 * isolation (also under RLS), per-org failures, idempotency and configuration.
 * Real PostgreSQL (tests/support/db.ts) and fake Odoo servers on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { createHandler } from "./index.ts";
import type { Sql } from "../../../tests/support/db.ts";
import { makeRequest } from "../../../tests/support/guard_harness.ts";
import { makeLeads, type OdooRecord } from "../../local/odoo.ts";
import { asOrgMember, syncWorld } from "../../../tests/support/odoo_sync_harness.ts";
import {
  mintAdminToken,
  mintUserToken,
  TEST_ANON_KEY,
  TEST_SERVICE_ROLE_KEY,
} from "../../../tests/support/tokens.ts";

const NOW = new Date("2026-11-23T10:15:20Z");
const SLOT = "2026-11-23T10:15:00+00:00";
const noSleep = () => Promise.resolve();

/** Fresh data, one fake Odoo per org, a handler wired to them; disposed after the test. */
function world(specs: { leads: OdooRecord[]; badKey?: boolean }[]) {
  return syncWorld(
    specs.map((spec, i) => ({
      records: { "crm.lead": spec.leads },
      badKey: spec.badKey,
      name: `Org ${i + 1}`,
    })),
    {
      createHandler,
      defaults: { now: () => NOW, sync: { pageSize: 4, odoo: { retries: 0, sleep: noSleep } } },
    },
  );
}

const post = (bearer: string, json: unknown = { scheduled_for: SLOT }) =>
  makeRequest({ method: "POST", bearer, json });

const tally = async (sql: Sql) =>
  (await sql`select (select count(*) from public.sync_runs)::int as runs,
    (select count(*) from public.crm_leads)::int as leads,
    (select count(*) from public.sync_cursors)::int as cursors`)[0];

function readAs(sql: Sql, orgId: string): Promise<{ org_id: string; odoo_id: string }[]> {
  return asOrgMember(
    sql,
    orgId,
    (tx) =>
      tx<{ org_id: string; odoo_id: string }[]>`
      select org_id, odoo_id from public.crm_leads order by odoo_id`,
  );
}

const leadsA = makeLeads(10, { start: new Date("2024-01-01T00:00:00Z"), sameTimestampEvery: 3 });
leadsA[2].active = false;
const leadsB = makeLeads(7, { start: new Date("2024-02-01T00:00:00Z") });

Deno.test("cron (service key) syncs each org from its own Odoo; RLS shows each org only its rows", async () => {
  await using w = await world([{ leads: leadsA }, { leads: leadsB }]);
  const [a, b] = w.orgs;
  const res = await w.handler()(post(TEST_SERVICE_ROLE_KEY));
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.status, "succeeded");
  assert.equal(body.idempotency_key, "odoo:crm:2026-11-23T10:15Z");
  const byOrg = Object.fromEntries(
    body.organizations.map((o: { org_id: string }) => [o.org_id, o]),
  );
  // Pages of 4 over write_date runs of 3: each page leaves its last second for the
  // next query (Odoo may hold more of that second), so 14 records are read for 10 rows.
  assert.deepEqual(byOrg[a.id], {
    org_id: a.id,
    status: "ok",
    fetched: 14,
    upserted: 10,
    pages: 4,
    deleted: 0,
    complete: true,
  });
  assert.equal(byOrg[b.id].upserted, 7);
  assert.deepEqual(
    (await readAs(w.sql, a.id)).map((r) => [r.org_id, Number(r.odoo_id)]),
    leadsA.map((l) => [a.id, l.id]),
  );
  assert.deepEqual(
    (await readAs(w.sql, b.id)).map((r) => [r.org_id, Number(r.odoo_id)]),
    leadsB.map((l) => [b.id, l.id]),
  );
  // Column mapping is covered in tests/odoo_sync_units_test.ts; here: the stored copy is the source.
  const rows = await w.sql`select odoo_id, name, active, stage_name, write_date, raw
    from public.crm_leads where org_id = ${a.id} order by odoo_id`;
  const stored = rows.map((r) => [Number(r.odoo_id), r.name, r.active, r.stage_name, r.raw]);
  const source = leadsA.map((l) => [l.id, l.name, l.active, (l.stage_id as unknown[])[1], l]);
  assert.deepEqual(stored, source);
  assert.equal(rows[2].active, false, "archived leads are synced too");
  assert.equal(rows[0].write_date.toISOString(), "2024-01-01T00:00:00.000Z");
  const [run] = await w.sql`select status, counts, scheduled_for, started_by from public.sync_runs`;
  assert.deepEqual([run.status, run.counts.upserted, run.counts.organizations], [
    "succeeded",
    17,
    2,
  ]);
  assert.deepEqual(
    [run.scheduled_for.toISOString(), run.started_by],
    [new Date(SLOT).toISOString(), "service"],
    "the body's scheduled_for; a service call started it (claim_sync_pass)",
  );
  w.assertNoSecretsLogged();
});

Deno.test("rejected callers write nothing and never reach Odoo", async (t) => {
  await using w = await world([{ leads: leadsA }, { leads: leadsB }]);
  const [a, b] = w.orgs;
  const plainUser = await mintUserToken();
  const admin = await mintAdminToken(a.id);
  const cases: [string, Request, number, string][] = [
    [
      "no Authorization header",
      makeRequest({ method: "POST", json: {} }),
      401,
      "missing_authorization",
    ],
    ["anon key", post(TEST_ANON_KEY), 401, "invalid_token"],
    ["user without integration_admin", post(plainUser), 403, "insufficient_permissions"],
    [
      "admin of A naming org B in the body",
      post(admin, { org_id: b.id }),
      403,
      "org_scope_violation",
    ],
    [
      "admin of A naming org B in the query",
      makeRequest({ method: "POST", bearer: admin, query: { org_id: b.id }, json: {} }),
      403,
      "org_scope_violation",
    ],
  ];
  const before = await tally(w.sql);
  for (const [name, req, status, error] of cases) {
    await t.step(name, async () => {
      const res = await w.handler()(req);
      assert.equal(res.status, status);
      assert.deepEqual(await res.json(), { error });
    });
  }
  assert.deepEqual(await tally(w.sql), before);
  assert.deepEqual([a.odoo.calls().length, b.odoo.calls().length], [0, 0]);
  w.assertNoSecretsLogged([plainUser, admin]);
});

Deno.test("an admin's 'sync now' syncs only the admin's org; a double click in the same minute does nothing", async () => {
  await using w = await world([{ leads: leadsA }, { leads: leadsB }]);
  const [a, b] = w.orgs;
  const admin = await mintAdminToken(a.id);
  const res = await w.handler()(post(admin, { org_id: a.id }));
  const body = await res.json();
  assert.equal(res.status, 200);
  // The key is the database's minute (public.sync_run_key), never the function's clock (2026-11-23).
  assert.match(body.idempotency_key, new RegExp(`^odoo:crm:manual:${a.id}:\\d{4}-\\d\\d-\\d\\dT`));
  assert.ok(!body.idempotency_key.includes("2026-11-23"), body.idempotency_key);
  assert.deepEqual(body.organizations.map((o: { org_id: string }) => o.org_id), [a.id]);
  assert.equal(b.odoo.calls().length, 0);
  const again = await (await w.handler()(post(admin, {}))).json();
  assert.deepEqual([again.status, again.run_id, again.previous_status], [
    "already_ran",
    body.run_id,
    "succeeded",
  ]);
  const rows = await w.sql`select org_id, count(*)::int as n from public.crm_leads group by org_id`;
  assert.deepEqual(rows.map((r) => [r.org_id, r.n]), [[a.id, 10]]);
  w.assertNoSecretsLogged([admin]);
});

Deno.test("a service call naming one org syncs only that org", async () => {
  await using w = await world([{ leads: leadsA }, { leads: leadsB }]);
  const [a, b] = w.orgs;
  const body =
    await (await w.handler()(post(TEST_SERVICE_ROLE_KEY, { org_id: b.id, scheduled_for: SLOT })))
      .json();
  // Through the queue's state, like an admin's "sync now".
  assert.match(body.idempotency_key, new RegExp(`^odoo:crm:service:${b.id}:`));
  assert.deepEqual(body.organizations.map((o: { org_id: string }) => o.org_id), [b.id]);
  assert.equal(a.odoo.calls().length, 0);
});

Deno.test("a bad API key fails only its org: odoo_auth_failed, not retried, no key anywhere", async () => {
  await using w = await world([{ leads: leadsA, badKey: true }, { leads: leadsB }]);
  const [a, b] = w.orgs;
  const res = await w.handler({ sync: { pageSize: 4 } })(post(TEST_SERVICE_ROLE_KEY));
  const text = await res.text();
  const body = JSON.parse(text);
  assert.equal(res.status, 200);
  assert.equal(body.status, "partial");
  const failed = body.organizations.find((o: { org_id: string }) => o.org_id === a.id);
  assert.deepEqual(failed, {
    org_id: a.id,
    status: "error",
    error: "odoo_auth_failed",
    fetched: 0,
    upserted: 0,
    pages: 0,
    deleted: 0,
  });
  assert.equal(
    a.odoo.calls().filter((c) => c.method === "authenticate").length,
    1,
    "never retried",
  );
  assert.equal(
    (await w.sql`select count(*)::int as n from public.crm_leads where org_id = ${b.id}`)[0].n,
    7,
  );
  const [run] = await w.sql`select status, error_summary from public.sync_runs`;
  assert.deepEqual([run.status, run.error_summary], ["partial", `${a.id}: odoo_auth_failed`]);
  const stored =
    (await w.sql`select secret from public.get_integration_credential(${a.id}, 'odoo')`)[0].secret;
  assert.ok(!text.includes(stored) && !text.includes(a.apiKey));
  assert.ok(
    w.logs.events().some((e) => e.event === "sync_org_failed" && e.error === "odoo_auth_failed"),
  );
  w.assertNoSecretsLogged([stored]);
});

Deno.test("the same period twice: already_ran without work; late calls in the slot too; drift is logged", async () => {
  await using w = await world([{ leads: leadsA }]);
  const [a] = w.orgs;
  const late = new Date("2026-11-23T10:22:00Z");
  const first = await (await w.handler({ now: () => late })(post(TEST_SERVICE_ROLE_KEY))).json();
  assert.equal(first.status, "succeeded");
  const drift = w.logs.events().find((e) => e.event === "sync_schedule_drift");
  assert.equal(drift?.drift_seconds, 420);
  assert.equal(drift?.level, "warn");
  const calls = a.odoo.calls().length;
  for (const scheduled of [SLOT, "2026-11-23T10:29:00Z"]) {
    const res = await w.handler()(post(TEST_SERVICE_ROLE_KEY, { scheduled_for: scheduled }));
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual([body.status, body.run_id], ["already_ran", first.run_id]);
  }
  assert.equal(a.odoo.calls().length, calls, "no Odoo call for a period that already ran");
  assert.equal((await w.sql`select count(*)::int as n from public.sync_runs`)[0].n, 1);
  const next = await (await w.handler()(
    post(TEST_SERVICE_ROLE_KEY, { scheduled_for: "2026-11-23T10:30:00Z" }),
  )).json();
  assert.equal(next.status, "succeeded", "the next slot runs");
});
