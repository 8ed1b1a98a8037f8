/**
 * Units of the Odoo sync internals: request parsing, period keys, the keyset
 * domain, error codes, row mapping, and the atomic page commit (real PostgreSQL).
 */
import assert from "node:assert/strict";
import { parseSyncBody } from "./request.ts";
import type { RequestBody } from "../auth-guard.ts";
import { afterCursor, notSeen } from "./pager.ts";
import { planPass, type Progress } from "./progress.ts";
import { errorCode } from "./org.ts";
import { jobSpec, pageJson } from "./jobs.ts";
import { commitPage, loadCursor } from "./store.ts";
import {
  OdooApiUnavailableError,
  OdooAuthError,
  OdooError,
  OdooHttpError,
  OdooNetworkError,
  OdooRpcError,
  OdooTimeoutError,
} from "../odoo-client.ts";
import { connect, resetAppData, testDatabaseUrl } from "../../../../tests/support/db.ts";

const ORG = "0f4b5c8e-1a2b-4c3d-8e9f-00000000000a";

Deno.test("parseSyncBody accepts the cron and UI bodies and refuses anything else", () => {
  const cases: [string, unknown][] = [
    ["", { mode: "incremental", scheduledFor: null }],
    ["{}", { mode: "incremental", scheduledFor: null }],
    [
      '{"mode":"incremental","scheduled_for":"2026-11-23T10:15:00+00:00"}',
      { mode: "incremental", scheduledFor: new Date("2026-11-23T10:15:00Z") },
    ],
    ['{"mode":"full","org_id":"x"}', { mode: "full", scheduledFor: null }],
    ["{nope", { invalid: "body_not_json" }],
    ["[1]", { invalid: "body_not_an_object" }],
    ['{"mode":"all"}', { invalid: "unknown_mode" }],
    ['{"scheduled_for":"1"}', { invalid: "scheduled_for_not_a_timestamp" }],
    ['{"scheduled_for":1700000000}', { invalid: "scheduled_for_not_a_timestamp" }],
  ];
  for (const [text, expected] of cases) {
    // The body as the guard hands it over in ctx.body: parsed JSON, or `other`.
    let body: RequestBody;
    if (text === "") body = { kind: "empty" };
    else {try {
        body = { kind: "json", value: JSON.parse(text) };
      } catch {
        body = { kind: "other" };
      }}
    assert.deepEqual(parseSyncBody(body), expected, text);
  }
});

Deno.test("afterCursor: write_date >= second, minus the ids of that second already seen", () => {
  const second = new Date("2024-03-01T09:30:00Z");
  assert.deepEqual(afterCursor(null), []);
  assert.deepEqual(afterCursor({ writeDate: second, id: 0 }), [[
    "write_date",
    ">=",
    "2024-03-01 09:30:00",
  ]]);
  assert.deepEqual(afterCursor({ writeDate: second, id: 42 }), [
    "|",
    ["write_date", ">=", "2024-03-01 09:30:01"],
    "&",
    ["write_date", ">=", "2024-03-01 09:30:00"],
    ["id", ">", 42],
  ]);
});

Deno.test("planPass: an unfinished pass continues; a new one re-reads the overlap before the cursor's second only", () => {
  const t = (iso: string) => new Date(iso);
  const cursor = { writeDate: t("2026-12-01T09:00:00Z"), id: 41_000 };
  const none: Progress = {
    cursor: null,
    pass: null,
    passStartedAt: null,
    refreshAfterId: null,
    refreshStartedAt: null,
  };
  const now = t("2026-12-01T12:00:00Z");
  const cases: [string, Progress, ReturnType<typeof planPass>][] = [
    ["never ran: from the beginning", none, {
      start: null,
      skip: null,
      resume: false,
      startedAt: now,
    }],
    [
      "stopped inside a second: continue after the saved id, skipping what the cursor covers",
      {
        ...none,
        cursor,
        pass: { writeDate: t("2026-12-01T08:59:00Z"), id: 7 },
        passStartedAt: t("2026-12-01T11:59:00Z"),
      },
      {
        start: { writeDate: t("2026-12-01T08:59:00Z"), id: 7 },
        skip: cursor,
        resume: true,
        startedAt: t("2026-12-01T11:59:00Z"),
      },
    ],
    [
      "the pass at the cursor: continue after its id, nothing to skip",
      { ...none, cursor, pass: cursor, passStartedAt: t("2026-12-01T11:59:00Z") },
      { start: cursor, skip: null, resume: true, startedAt: t("2026-12-01T11:59:00Z") },
    ],
    [
      "new pass, the last one started 5 minutes after the cursor: overlap, then the cursor's second after its id",
      { ...none, cursor, passStartedAt: t("2026-12-01T09:05:00Z") },
      {
        start: { writeDate: t("2026-12-01T08:50:00Z"), id: 0 },
        skip: cursor,
        resume: false,
        startedAt: now,
      },
    ],
    [
      "new pass, nothing changed for hours: nothing before the cursor is read again",
      { ...none, cursor, passStartedAt: t("2026-12-01T11:00:00Z") },
      { start: cursor, skip: null, resume: false, startedAt: now },
    ],
    [
      "saved before issue 25 (no pass start): the overlap counts from the cursor",
      { ...none, cursor },
      {
        start: { writeDate: t("2026-12-01T08:45:00Z"), id: 0 },
        skip: cursor,
        resume: false,
        startedAt: now,
      },
    ],
  ];
  for (const [name, progress, expected] of cases) {
    assert.deepEqual(planPass(progress, now, 15), expected, name);
  }
  assert.deepEqual(notSeen(null), []);
  assert.deepEqual(notSeen({ writeDate: t("2026-12-01T09:00:00Z"), id: 0 }), []);
  assert.deepEqual(notSeen(cursor), [
    "|",
    "|",
    ["write_date", "<", "2026-12-01 09:00:00"],
    ["write_date", ">=", "2026-12-01 09:00:01"],
    ["id", ">", 41_000],
  ]);
});

Deno.test("errorCode maps every failure to the closed set", () => {
  const call = { service: "object", method: "search_read" };
  const rpc = new OdooRpcError({
    odooName: "builtins.ValueError",
    odooMessage: "x",
    debug: "trace",
    call,
  });
  const cases: [unknown, string][] = [
    [new OdooAuthError("refused"), "odoo_auth_failed"],
    [new OdooTimeoutError("slow"), "odoo_timeout"],
    [new OdooNetworkError("down"), "odoo_unreachable"],
    [new OdooHttpError(503, call), "odoo_unreachable"],
    [new OdooHttpError(429, call), "odoo_unreachable"],
    [new OdooHttpError(404, call), "odoo_error"],
    [rpc, "odoo_error"],
    [new OdooError("not JSON"), "odoo_error"],
    [new OdooApiUnavailableError("neither API"), "odoo_api_unavailable"],
    [new Error("connection terminated"), "internal_error"],
  ];
  for (const [err, code] of cases) assert.equal(errorCode(err), code, String(err));
});

Deno.test("pageJson maps Odoo values, keeps one row per id, and names a record with a bad value", () => {
  const rec = {
    id: 7,
    name: "Desks",
    partner_name: false,
    email_from: false,
    stage_id: [2, "Qualified"],
    user_id: false,
    probability: 30,
    expected_revenue: 1500.5,
    active: false,
    create_date: "2024-03-01 09:00:00",
    write_date: "2024-03-01 09:30:00",
  };
  const rows = JSON.parse(pageJson(jobSpec("crm"), [{ ...rec, name: "old" }, rec]));
  assert.equal(rows.length, 1);
  const { raw, ...row } = rows[0];
  assert.deepEqual(row, {
    odoo_id: 7,
    name: "Desks",
    partner_name: null,
    email_from: null,
    stage_id: 2,
    stage_name: "Qualified",
    user_id: null,
    user_name: null,
    probability: 30,
    expected_revenue: 1500.5,
    active: false,
    create_date: "2024-03-01T09:00:00.000Z",
    write_date: "2024-03-01T09:30:00.000Z",
  });
  assert.deepEqual(raw, rec);
  assert.throws(
    () => pageJson(jobSpec("crm"), [{ ...rec, stage_id: "Qualified" }]),
    (err: Error) => {
      return err instanceof OdooError && /crm\.lead record 7: unexpected value/.test(err.message);
    },
  );
  assert.throws(() => pageJson(jobSpec("chatter"), [{ id: 1, res_id: false }]), OdooError);
});

Deno.test("commitPage is atomic: a failing cursor write rolls back the page's rows", async () => {
  const sql = connect(await testDatabaseUrl());
  try {
    await resetAppData(sql);
    await sql`insert into public.organizations (id, name) values (${ORG}, 'Acme')`;
    const spec = jobSpec("crm");
    const rowsJson = pageJson(spec, [{ id: 1, name: "A", write_date: "2024-03-01 09:30:00" }]);
    const page = { spec, orgId: ORG, job: "crm" as const, rowsJson };
    // 2^63 does not fit the bigint cursor_id: the second statement of the transaction fails.
    const broken = { writeDate: new Date("2024-03-01T09:30:00Z"), id: 2 ** 63 };
    await assert.rejects(commitPage(sql, { ...page, cursor: broken }));
    assert.equal((await sql`select count(*)::int as n from public.crm_leads`)[0].n, 0);
    assert.equal(await loadCursor(sql, { orgId: ORG, job: "crm" }), null);
    const ok = { writeDate: new Date("2024-03-01T09:30:00Z"), id: 1 };
    assert.equal(await commitPage(sql, { ...page, cursor: ok }), 1);
    assert.deepEqual(await loadCursor(sql, { orgId: ORG, job: "crm" }), ok);
    assert.equal(
      await commitPage(sql, { ...page, cursor: ok }),
      0,
      "same version and values: idempotent, not rewritten",
    );
    const older = pageJson(spec, [{ id: 1, name: "stale", write_date: "2024-01-01 00:00:00" }]);
    assert.equal(await commitPage(sql, { ...page, rowsJson: older, cursor: ok }), 0);
    assert.equal((await sql`select name from public.crm_leads`)[0].name, "A", "never goes back");
  } finally {
    await sql.end();
  }
});
