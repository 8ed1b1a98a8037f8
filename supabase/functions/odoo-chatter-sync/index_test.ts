/**
 * odoo-chatter-sync through its handler: only crm.lead chatter, per-org
 * isolation under RLS, incremental reads, the :05 cron slot, a timing-out
 * Odoo, rejected callers and configuration. Real PostgreSQL, fake Odoo.
 */
import assert from "node:assert/strict";
import { createHandler } from "./index.ts";
import type { Sql } from "../../../tests/support/db.ts";
import { makeRequest } from "../../../tests/support/guard_harness.ts";
import { makeLeads, makeMessages, type OdooRecord } from "../../local/odoo.ts";
import { asOrgMember, syncWorld } from "../../../tests/support/odoo_sync_harness.ts";
import {
  mintAdminToken,
  TEST_ANON_KEY,
  TEST_SERVICE_ROLE_KEY,
} from "../../../tests/support/tokens.ts";

const NOW = new Date("2026-11-23T10:05:12Z");
const noSleep = () => Promise.resolve();

/** Chatter of `n` leads plus noise the job must ignore: another model, a message without record. */
function chatter(n: number, start: string): OdooRecord[] {
  const leads = makeLeads(n, { start: new Date(start) });
  const noise = [
    { ...makeMessages(leads.slice(0, 1), 1, { firstId: 900 })[0], model: "res.partner" },
    { ...makeMessages(leads.slice(0, 1), 1, { firstId: 901 })[0], res_id: false },
  ];
  return [...makeMessages(leads, 3), ...noise];
}

function world(specs: { messages: OdooRecord[] }[]) {
  return syncWorld(
    specs.map((spec) => ({
      records: { "mail.message": spec.messages },
      odooNow: () => new Date("2025-05-05T05:05:05Z"),
    })),
    {
      createHandler,
      defaults: {
        now: () => NOW,
        sync: { pageSize: 5, odoo: { retries: 0, sleep: noSleep, timeoutMs: 300 } },
      },
    },
  );
}

const cron = (json: Record<string, unknown> = { scheduled_for: "2026-11-23T10:05:00+00:00" }) =>
  makeRequest({ method: "POST", bearer: TEST_SERVICE_ROLE_KEY, json });

function readAs(sql: Sql, orgId: string) {
  return asOrgMember(
    sql,
    orgId,
    (tx) =>
      tx`select org_id, odoo_id, res_id, body, author_name, message_type, subtype, date
      from public.crm_lead_messages order by odoo_id`,
  );
}

const expected = (messages: OdooRecord[]) =>
  messages.filter((m) => m.model === "crm.lead" && m.res_id !== false).map((m) => m.id);

Deno.test("cron syncs crm.lead chatter per org from its own Odoo; RLS isolates the orgs", async () => {
  const msgsA = chatter(4, "2024-01-01T00:00:00Z");
  const msgsB = chatter(2, "2024-02-01T00:00:00Z");
  await using w = await world([{ messages: msgsA }, { messages: msgsB }]);
  const [a, b] = w.orgs;
  const res = await w.handler()(cron());
  const body = await res.json();
  assert.deepEqual([res.status, body.status, body.idempotency_key], [
    200,
    "succeeded",
    "odoo:chatter:2026-11-23T10:00Z",
  ]);
  const rowsA = await readAs(w.sql, a.id);
  assert.deepEqual(rowsA.map((r) => Number(r.odoo_id)), expected(msgsA));
  assert.ok(rowsA.every((r) => r.org_id === a.id));
  assert.deepEqual(
    (await readAs(w.sql, b.id)).map((r) => [r.org_id, Number(r.odoo_id)]),
    expected(msgsB).map((id) => [b.id, id]),
  );
  const first = rowsA[0];
  const source = msgsA[0];
  assert.deepEqual(
    [
      Number(first.res_id),
      first.body,
      first.author_name,
      first.message_type,
      first.subtype,
      first.date.toISOString(),
    ],
    [
      source.res_id,
      source.body,
      (source.author_id as unknown[])[1],
      source.message_type,
      (source.subtype_id as unknown[])[1],
      new Date(`${String(source.date).replace(" ", "T")}Z`).toISOString(),
    ],
  );
  const domain = a.odoo.calls().find((c) => c.method === "search_read")!.kwargs
    .domain as unknown[];
  assert.deepEqual(domain.slice(0, 2), [["model", "=", "crm.lead"], ["res_id", "!=", false]]);
  w.assertNoSecretsLogged();
});

Deno.test("the next run writes only new chatter; the same :05 slot twice is already_ran", async () => {
  await using w = await world([{ messages: chatter(3, "2024-01-01T00:00:00Z") }]);
  const [a] = w.orgs;
  const first = await (await w.handler()(cron())).json();
  assert.equal(first.organizations[0].upserted, 9);
  const late = await (await w.handler()(cron({ scheduled_for: "2026-11-23T10:07:00Z" }))).json();
  assert.deepEqual([late.status, late.run_id], ["already_ran", first.run_id]);
  a.odoo.upsertRecord("mail.message", {
    model: "crm.lead",
    res_id: 2,
    body: "<p>New note</p>",
    message_type: "comment",
  });
  const calls = a.odoo.calls().length;
  const next = await (await w.handler()(cron({ scheduled_for: "2026-11-23T10:20:00Z" }))).json();
  // The messages of the overlap window are read again, but only the new one is written.
  assert.deepEqual([next.status, next.organizations[0].upserted], ["succeeded", 1]);
  const searchReads = a.odoo.calls().slice(calls).filter((c) => c.method === "search_read");
  assert.ok(searchReads.length >= 2, "paged until an empty page");
  const [row] = await w
    .sql`select body from public.crm_lead_messages where res_id = 2 order by odoo_id desc limit 1`;
  assert.equal(row.body, "<p>New note</p>");
  w.assertNoSecretsLogged();
});

Deno.test("an Odoo that times out fails only its org (odoo_timeout); the other is synced", async () => {
  await using w = await world([{ messages: chatter(2, "2024-01-01T00:00:00Z") }, {
    messages: chatter(2, "2024-03-01T00:00:00Z"),
  }]);
  const [slow, fine] = w.orgs;
  slow.odoo.setFailure({ kind: "slow", delayMs: 5_000 });
  const res = await w.handler()(cron());
  const body = await res.json();
  assert.deepEqual([res.status, body.status], [200, "partial"]);
  const byOrg = Object.fromEntries(
    body.organizations.map((o: { org_id: string }) => [o.org_id, o]),
  );
  assert.deepEqual([byOrg[slow.id].status, byOrg[slow.id].error], ["error", "odoo_timeout"]);
  assert.deepEqual([byOrg[fine.id].status, byOrg[fine.id].upserted], ["ok", 6]);
  w.assertNoSecretsLogged();
});

Deno.test("rejected callers: anon 401, an admin naming another org 403; nothing written, Odoo not called", async () => {
  await using w = await world([{ messages: chatter(1, "2024-01-01T00:00:00Z") }, { messages: [] }]);
  const [a, b] = w.orgs;
  const admin = await mintAdminToken(a.id);
  const cases: [Request, number, string][] = [
    [makeRequest({ method: "POST", bearer: TEST_ANON_KEY, json: {} }), 401, "invalid_token"],
    [
      makeRequest({ method: "POST", bearer: admin, json: { org_id: b.id } }),
      403,
      "org_scope_violation",
    ],
  ];
  for (const [req, status, error] of cases) {
    const res = await w.handler()(req);
    assert.deepEqual([res.status, await res.json()], [status, { error }]);
  }
  const [n] = await w.sql`select (select count(*) from public.sync_runs)::int as runs,
    (select count(*) from public.crm_lead_messages)::int as messages`;
  assert.deepEqual(n, { runs: 0, messages: 0 });
  assert.deepEqual([a.odoo.calls().length, b.odoo.calls().length], [0, 0]);
  w.assertNoSecretsLogged([admin]);
});
