/**
 * sync_runs.org_results has one declared shape (issue 23): what the sync
 * writes (`orgResultsJson`, supabase/functions/_shared/sync-results.ts) is
 * exactly what the database accepts (`public.sync_org_results_valid`, the
 * constraint `sync_runs_org_results_shape`) and what integration-status reads
 * back (`readOrgResult`). Every variant the TypeScript type allows (ok
 * complete/incomplete, every sync failure code of the catalogue) round-trips
 * through a real database; a field outside the shape never reaches it.
 */
import assert from "node:assert/strict";
import { connect, resetAppData, testDatabaseUrl } from "./support/db.ts";
import { codesOf } from "../supabase/functions/_shared/error-catalogue.ts";
import {
  type OrgResult,
  orgResultsJson,
  readOrgResult,
} from "../supabase/functions/_shared/sync-results.ts";

const org = (n: number) => `a1000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const counts = (n: number) => ({ fetched: n, upserted: n, pages: n, deleted: 0 });

const VARIANTS: OrgResult[] = [
  { org_id: org(1), status: "ok", complete: true, ...counts(3) },
  { org_id: org(2), status: "ok", complete: false, ...counts(500) },
  ...codesOf("sync", "function").map((error, i): OrgResult => ({
    org_id: org(10 + i),
    status: "error",
    error,
    ...counts(i),
  })),
];

Deno.test("org_results: every variant the sync writes is accepted by the database and read back as written", async () => {
  const sql = connect(await testDatabaseUrl());
  try {
    await resetAppData(sql);
    const cases: [string, OrgResult[]][] = [
      ["a run over every organization (runs.ts)", VARIANTS],
      ...VARIANTS.map((v): [string, OrgResult[]] => [`one organization, ${v.status}`, [v]]),
      ["a run that reached no organization", []],
    ];
    for (const [i, [name, results]] of cases.entries()) {
      const [row] = await sql<{ stored: Record<string, unknown> }[]>`
        insert into public.sync_runs (idempotency_key, integration, job, scheduled_for, org_results)
        values (${`shape:${i}`}, 'odoo', 'crm', now(), ${orgResultsJson(results)}::text::jsonb)
        returning org_results as stored`;
      for (const { org_id, ...written } of results) {
        assert.deepEqual(readOrgResult(row.stored[org_id]), written, name);
      }
      assert.equal(Object.keys(row.stored).length, results.length, name);
    }
  } finally {
    await sql.end();
  }
});

Deno.test("org_results: nothing outside the declared shape is written, whatever a result carries", () => {
  const carrying = {
    org_id: org(1),
    status: "error",
    error: "odoo_auth_failed",
    ...counts(0),
    detail: "Access Denied for login admin@example.com",
  } as OrgResult;
  assert.deepEqual(JSON.parse(orgResultsJson([carrying])), {
    [org(1)]: { status: "error", error: "odoo_auth_failed", ...counts(0) },
  });
});

Deno.test("readOrgResult: a stored value of another shape reads as null, never as a success", () => {
  const cases: [string, unknown, unknown][] = [
    ["absent", undefined, null],
    ["not an object", "ok", null],
    ["unknown status", { status: "done" }, null],
    ["ok without complete", { status: "ok", fetched: 1 }, null],
    ["a negative count", { status: "ok", complete: true, fetched: -1 }, null],
    [
      "an older row without counts",
      { status: "error", error: "odoo_timeout" },
      { status: "error", error: "odoo_timeout", fetched: 0, upserted: 0, pages: 0, deleted: 0 },
    ],
  ];
  for (const [name, stored, expected] of cases) {
    assert.deepEqual(readOrgResult(stored), expected, name);
  }
});
