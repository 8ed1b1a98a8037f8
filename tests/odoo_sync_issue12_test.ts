/**
 * The sync against a faithful Odoo (issue 12): long transactions, deletions
 * and merges, short pages under record rules, Odoo 19/20 APIs. Each test
 * fails on the sync before issue 12. Real PostgreSQL, fake Odoo on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { createHandler as crmHandler } from "../supabase/functions/odoo-crm-sync/index.ts";
import { createHandler as chatterHandler } from "../supabase/functions/odoo-chatter-sync/index.ts";
import { makeRequest } from "./support/guard_harness.ts";
import { makeLeads, makeMessages, type OdooRecord } from "../supabase/local/odoo.ts";
import {
  type SyncHandlerFactory,
  type SyncOrgSpec,
  syncWorld,
} from "./support/odoo_sync_harness.ts";
import { TEST_SERVICE_ROLE_KEY } from "./support/tokens.ts";

const noSleep = () => Promise.resolve();

/** One org; `run(at, body)` is one cron call whose clock is `at`. */
async function world(spec: SyncOrgSpec, createHandler: SyncHandlerFactory = crmHandler) {
  const base = await syncWorld([spec], { createHandler });
  const [org] = base.orgs;
  const run = async (at: string, body: Record<string, unknown> = {}) => {
    const handler = base.handler({
      now: () => new Date(at),
      sync: { pageSize: 5, reconcilePageSize: 2, odoo: { retries: 0, sleep: noSleep } },
    });
    const req = makeRequest({
      method: "POST",
      bearer: TEST_SERVICE_ROLE_KEY,
      json: { scheduled_for: at, ...body },
    });
    const res = await handler(req);
    const report = await res.json();
    return { ...report, http: res.status, org: report.organizations?.[0] };
  };
  const rows = async (table: "crm_leads" | "crm_lead_messages") =>
    (await base.sql.unsafe(
      `select odoo_id from public.${table} where org_id = $1 order by odoo_id`,
      [org.id],
    )).map((r) => Number(r.odoo_id));
  return { ...base, org, odoo: org.odoo, run, rows };
}

const at = (iso: string) => new Date(iso);

Deno.test("long Odoo transactions (started 2 and 10 minutes before a run, committed after it) are synced", async () => {
  const seed = makeLeads(6, { start: at("2026-11-23T09:00:00Z"), sameTimestampEvery: 1 });
  await using w = await world({ records: { "crm.lead": seed } });
  const twoMin = w.odoo.begin(at("2026-11-23T09:58:10Z"), 123_456);
  twoMin.write("crm.lead", { id: 2, name: "Edited in a 2-minute transaction" });
  const tenMin = w.odoo.begin(at("2026-11-23T09:50:10Z"), 654_321);
  tenMin.write("crm.lead", { id: 3, name: "Edited in a 10-minute import" });
  const created = tenMin.write("crm.lead", { name: "Created by the import", active: true });
  const quick = w.odoo.begin(at("2026-11-23T10:00:05Z"));
  quick.write("crm.lead", { id: 4, name: "Quick edit" });
  quick.commit();
  const first = await w.run("2026-11-23T10:00:10Z");
  assert.equal(first.status, "succeeded");
  twoMin.commit();
  tenMin.commit();
  const second = await w.run("2026-11-23T10:15:10Z");
  assert.equal(second.status, "succeeded");
  const names = await w.sql`select odoo_id, name, write_date from public.crm_leads
    where org_id = ${w.org.id}`;
  const byId = new Map(names.map((r) => [Number(r.odoo_id), r]));
  assert.equal(byId.get(2)?.name, "Edited in a 2-minute transaction");
  assert.equal(byId.get(3)?.name, "Edited in a 10-minute import");
  assert.equal(byId.get(created.id)?.name, "Created by the import");
  assert.equal(byId.get(4)?.name, "Quick edit");
  assert.equal(byId.get(3)?.write_date.toISOString(), "2026-11-23T09:50:10.000Z");
});

Deno.test("deleted and merged leads are marked deleted by a full run and hidden from SLA and members", async () => {
  const leads = makeLeads(12, { start: at("2026-11-20T09:00:00Z"), sameTimestampEvery: 1 });
  const messages = makeMessages(leads, 2);
  await using w = await world({ records: { "crm.lead": leads, "mail.message": messages } });
  await w.run("2026-11-23T10:00:00Z");
  w.odoo.unlink("crm.lead", [5]);
  const merge = w.odoo.begin(at("2026-11-23T10:05:00Z"));
  merge.mergeLeads(1, [2, 3]);
  merge.commit();
  const incremental = await w.run("2026-11-23T10:15:00Z");
  assert.equal(incremental.org.deleted, 0, "reconciled at the first run; not due yet");
  const full = await w.run("2026-11-23T10:30:00Z", { mode: "full" });
  assert.deepEqual([full.status, full.org.deleted], ["succeeded", 3]);
  const deleted = await w.sql`select odoo_id from public.crm_leads
    where org_id = ${w.org.id} and deleted_at is not null order by odoo_id`;
  assert.deepEqual(deleted.map((r) => Number(r.odoo_id)), [2, 3, 5]);
  await w.sql`insert into public.sla_policies (org_id, name, max_hours_without_progress)
    values (${w.org.id}, 'stale', 1)`;
  const { recordSlaBreaches } = await import("../supabase/functions/_shared/sla.ts");
  await recordSlaBreaches(w.sql, { now: at("2026-11-23T12:00:00Z"), orgId: w.org.id });
  const breached = await w.sql`select lead_odoo_id from public.sla_breaches order by 1`;
  const ids = breached.map((r) => Number(r.lead_odoo_id));
  assert.ok(
    !ids.includes(2) && !ids.includes(3) && !ids.includes(5),
    `no breach on deleted: ${ids}`,
  );
  // Chatter: the merged leads' messages moved to lead 1; lead 5's were unlinked with it.
  await using c = await world(
    { records: { "crm.lead": leads, "mail.message": messages } },
    chatterHandler,
  );
  await c.run("2026-11-23T10:00:00Z");
  c.odoo.unlink("crm.lead", [5]);
  const m = c.odoo.begin(at("2026-11-23T10:05:00Z"));
  m.mergeLeads(1, [2, 3]);
  m.commit();
  const chat = await c.run("2026-11-24T10:30:00Z");
  assert.deepEqual([chat.status, chat.org.deleted], ["succeeded", 2], "daily reconciliation");
  const live = await c.sql`select odoo_id, res_id from public.crm_lead_messages
    where org_id = ${c.org.id} and deleted_at is null and res_id in (1, 2, 3, 5)`;
  assert.deepEqual(live.map((r) => Number(r.res_id)).sort(), [1, 1, 1, 1, 1, 1]);
});

const rules = (model: string, rec: OdooRecord) =>
  model === "mail.message" ? (rec.res_id as number) % 3 !== 0 : (rec.id as number) % 3 !== 0;

for (const [job, createHandler] of [["crm", crmHandler], ["chatter", chatterHandler]] as const) {
  Deno.test(`${job}: short pages under record rules (Odoo 17 limit-then-filter) do not end the walk`, async () => {
    const leads = makeLeads(40, { start: at("2026-11-20T09:00:00Z"), sameTimestampEvery: 1 });
    const messages = makeMessages(leads, 2);
    await using w = await world({
      records: { "crm.lead": leads, "mail.message": messages },
      odoo: { version: 17, canRead: rules },
    }, createHandler);
    const report = await w.run("2026-11-23T10:00:00Z");
    assert.deepEqual([report.status, report.org.complete], ["succeeded", true]);
    const expected = job === "crm"
      ? leads.filter((l) => rules("crm.lead", l)).map((l) => l.id)
      : messages.filter((m) => rules("mail.message", m)).map((m) => m.id);
    assert.deepEqual(await w.rows(job === "crm" ? "crm_leads" : "crm_lead_messages"), expected);
  });
}

Deno.test("reconciliation marks only what Odoo confirms gone, even after an empty page under record rules", async () => {
  // Odoo 17: ids 6-8 are unreadable, so the id page after 5 (limit 2) comes back empty although
  // leads 9-12 exist. Only lead 10, really unlinked, may be marked deleted.
  const leads = makeLeads(12, { start: at("2026-11-20T09:00:00Z") });
  const canRead = (_model: string, rec: OdooRecord) => !([6, 7, 8] as unknown[]).includes(rec.id);
  await using w = await world({ records: { "crm.lead": leads }, odoo: { version: 17, canRead } });
  await w.run("2026-11-23T10:00:00Z");
  assert.deepEqual(await w.rows("crm_leads"), [1, 2, 3, 4, 5, 9, 10, 11, 12]);
  w.odoo.unlink("crm.lead", [10]);
  const full = await w.run("2026-11-23T11:00:00Z", { mode: "full" });
  assert.deepEqual([full.status, full.org.deleted], ["succeeded", 1]);
  const live = await w.sql`select odoo_id from public.crm_leads
    where org_id = ${w.org.id} and deleted_at is null order by odoo_id`;
  assert.deepEqual(live.map((r) => Number(r.odoo_id)), [1, 2, 3, 4, 5, 9, 11, 12]);
});

Deno.test("Odoo 20 with only JSON-2, and Odoo 19 with both, sync with the same stored credential", async (t) => {
  for (const version of [20, 19] as const) {
    await t.step(`Odoo ${version}`, async () => {
      const leads = makeLeads(7, { start: at("2026-11-20T09:00:00Z") });
      await using w = await world({ records: { "crm.lead": leads }, odoo: { version } });
      const report = await w.run("2026-11-23T10:00:00Z");
      assert.deepEqual([report.status, report.org.upserted], ["succeeded", 7]);
      const services = new Set(w.odoo.calls().map((c) => c.service));
      assert.deepEqual([...services].sort(), ["json2", "web"], "JSON-2 where it exists");
      w.assertNoSecretsLogged();
    });
  }
});

Deno.test("a server that does not route /web/webclient/version_info is asked /web/version", async () => {
  const leads = makeLeads(3, { start: at("2026-11-20T09:00:00Z") });
  await using w = await world({ records: { "crm.lead": leads }, odoo: { version: 19 } });
  // A proxy in front of Odoo that exposes only the external API and plain http routes.
  const proxied: typeof fetch = (input, init) =>
    String(input).endsWith("/web/webclient/version_info")
      ? Promise.resolve(new Response("<h1>Not Found</h1>", { status: 404 }))
      : fetch(input, init);
  const handler = w.handler({ fetch: proxied, now: () => new Date("2026-11-23T10:00:00Z") });
  const res = await handler(
    makeRequest({ method: "POST", bearer: TEST_SERVICE_ROLE_KEY, json: {} }),
  );
  const report = await res.json();
  assert.deepEqual([res.status, report.organizations[0].upserted], [200, 3]);
  assert.ok(w.odoo.calls().some((c) => c.service === "json2"), "Odoo 19: JSON-2 chosen");
});

Deno.test("no usable API (Odoo 20 without JSON-2 access) is odoo_api_unavailable with a log naming the fix", async () => {
  await using w = await world({
    records: { "crm.lead": makeLeads(2, { start: new Date() }) },
    odoo: { version: 20 },
  });
  const revoked = await w.run("2026-11-23T10:00:00Z");
  assert.equal(revoked.org.status, "ok");
  // A version-17 answer from a proxy that hides JSON-2 and /jsonrpc: simulated by a fetch that 404s both.
  const hidden: typeof fetch = (input, init) => {
    const url = String(input);
    if (url.includes("/json/2/")) {
      return Promise.resolve(
        new Response("<h1>Not Found</h1>", {
          status: 404,
          headers: { "content-type": "text/html" },
        }),
      );
    }
    return fetch(input, init);
  };
  const handler = w.handler({ fetch: hidden, now: () => new Date("2026-11-23T10:15:00Z") });
  const res = await handler(
    makeRequest({
      method: "POST",
      bearer: TEST_SERVICE_ROLE_KEY,
      json: { scheduled_for: "2026-11-23T10:15:00Z" },
    }),
  );
  const body = await res.json();
  assert.equal(body.organizations[0].error, "odoo_api_unavailable");
  assert.ok(
    w.logs.lines.some((l) =>
      l.includes("odoo_api_unavailable") && l.includes("rpc.use_deprecated_services")
    ),
  );
});
