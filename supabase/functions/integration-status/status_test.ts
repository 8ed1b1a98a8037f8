/** nextCronTime: the pg_cron expressions the migrations use, and the forms it declines. */
import assert from "node:assert/strict";
import { nextCronTime } from "./status.ts";

Deno.test("nextCronTime: next firing in UTC, or null", () => {
  const at = new Date("2026-11-23T10:22:41Z");
  const cases: [string, string | null][] = [
    ["*/15 * * * *", "2026-11-23T10:30:00.000Z"],
    ["5-59/15 * * * *", "2026-11-23T10:35:00.000Z"],
    ["* * * * *", "2026-11-23T10:23:00.000Z"],
    ["17 3 * * *", "2026-11-24T03:17:00.000Z"],
    ["0 9 * * 1", "2026-11-30T09:00:00.000Z"],
    ["0 0 1 1 *", "2027-01-01T00:00:00.000Z"],
    ["0 12 31 2 *", null],
    ["30 seconds", null],
    ["61 * * * *", null],
    ["@daily", null],
  ];
  for (const [schedule, next] of cases) {
    assert.equal(nextCronTime(schedule, at)?.toISOString() ?? null, next, schedule);
  }
});

import { jobStatus, type OrgSyncState, overallState, type RunRow } from "./status.ts";
import type { AlertView, JobStatus } from "./status.ts";
import type { StoredOrgResult } from "../_shared/sync-results.ts";

const NOW = new Date("2026-11-23T10:22:41Z");
const ago = (min: number) => new Date(NOW.getTime() - min * 60_000);
const ORG_RESULT = (n: number): StoredOrgResult => ({
  status: "ok",
  complete: true,
  fetched: n,
  upserted: n,
  pages: 1,
  deleted: 0,
});
const FAILED: StoredOrgResult = {
  status: "error",
  error: "odoo_auth_failed",
  fetched: 0,
  upserted: 0,
  pages: 0,
  deleted: 0,
};

function row(
  min: number,
  result: StoredOrgResult | null,
  startedBy: "schedule" | "admin" | "service" = "schedule",
): RunRow {
  return {
    id: String(1000 - min),
    status: result === null ? "running" : result.status === "ok" ? "succeeded" : "failed",
    started_at: ago(min),
    finished_at: result === null ? null : ago(min),
    started_by: startedBy,
    error_summary: null,
    result,
  };
}

function state(over: Partial<OrgSyncState> = {}): OrgSyncState {
  return {
    last_success_at: null,
    last_status: null,
    last_error: null,
    consecutive_failures: 0,
    next_due_at: null,
    backoff_until: null,
    parked_at: null,
    lease_until: null,
    ...over,
  };
}

const cron = { schedule: "* * * * *", active: true };

function job(
  runs: RunRow[],
  s?: OrgSyncState,
  c: typeof cron | null = cron,
  periodSeconds = 900,
): JobStatus {
  const lastSuccess = runs.find((r) => r.result?.status === "ok") ?? null;
  return jobStatus({
    job: "crm",
    label: "CRM leads",
    function: "odoo-crm-sync",
    cron: c ?? undefined,
    periodSeconds,
    state: s,
    runs,
    lastSuccess,
  }, NOW);
}

Deno.test("jobStatus: next attempt and why, last success with counts, history with triggers", () => {
  const cases: [string, JobStatus, string, string | null, number][] = [
    ["never synced: the next tick", job([]), "schedule", "2026-11-23T10:23:00.000Z", 0],
    ["paused cron", job([], undefined, { ...cron, active: false }), "not_scheduled", null, 0],
    ["no cron job", job([], undefined, null), "not_scheduled", null, 0],
    ["a run in flight", job([row(1, null), row(20, ORG_RESULT(3))]), "in_flight", null, 0],
    [
      "a lease held (queue)",
      job([], state({ lease_until: new Date(NOW.getTime() + 60_000) })),
      "in_flight",
      null,
      0,
    ],
    [
      "succeeded this period: next period",
      job([row(5, ORG_RESULT(2))], state({ last_success_at: ago(5) })),
      "schedule",
      "2026-11-23T10:30:00.000Z",
      0,
    ],
    [
      "succeeded this period of a 1-hour sync_queue_settings.period: next hour",
      job([row(5, ORG_RESULT(2))], state({ last_success_at: ago(5) }), cron, 3600),
      "schedule",
      "2026-11-23T11:00:00.000Z",
      0,
    ],
    [
      "backoff after 3 failures",
      job(
        [row(2, FAILED)],
        state({
          consecutive_failures: 3,
          backoff_until: new Date("2026-11-23T11:00:00Z"),
          next_due_at: new Date("2026-11-23T11:00:00Z"),
        }),
      ),
      "backoff",
      "2026-11-23T11:00:00.000Z",
      3,
    ],
    [
      "parked",
      job(
        [row(2, FAILED)],
        state({
          consecutive_failures: 6,
          parked_at: ago(60),
          backoff_until: new Date("2026-11-23T16:00:00Z"),
          next_due_at: new Date("2026-11-23T16:00:00Z"),
        }),
      ),
      "parked",
      "2026-11-23T16:00:00.000Z",
      6,
    ],
  ];
  for (const [name, j, reason, at, failures] of cases) {
    assert.deepEqual(
      [j.next_attempt.reason, j.next_attempt.at, j.next_attempt.failures],
      [reason, at, failures],
      name,
    );
    assert.equal(j.next_run_at, j.next_attempt.at, name);
  }
  const j = job([
    row(1, FAILED, "admin"),
    row(10, ORG_RESULT(3), "service"),
    row(20, ORG_RESULT(7)),
  ]);
  assert.deepEqual(j.last_success, { at: ago(10).toISOString(), fetched: 3, upserted: 3 });
  assert.deepEqual(
    j.history.map((r) => [r.trigger, r.status, r.error]),
    [
      ["manual", "failed", "odoo_auth_failed"],
      ["manual", "succeeded", null],
      ["scheduled", "succeeded", null],
    ],
    "the trigger is sync_runs.started_by: admin and service are manual, schedule is scheduled",
  );
  assert.equal(j.last_run?.status, "failed");
});

const alert = (check_id: string, opened: Date, project_wide = false): AlertView => ({
  check_id,
  subject: project_wide ? "odoo-crm-sync-incremental" : "org:x",
  severity: "error",
  detail: "d",
  project_wide,
  opened_at: opened.toISOString(),
  last_seen_at: NOW.toISOString(),
});

Deno.test("overallState: worst job state, never better than an open alert", () => {
  const healthy = job([row(3, ORG_RESULT(1))], state({ last_success_at: ago(3) }));
  const failed = job([row(2, FAILED), row(8, FAILED), row(40, ORG_RESULT(1))]);
  const backoff = job(
    [row(2, FAILED)],
    state({
      consecutive_failures: 1,
      backoff_until: new Date("2026-11-23T10:40:00Z"),
      next_due_at: new Date("2026-11-23T10:40:00Z"),
    }),
  );
  const stale = job([row(45, ORG_RESULT(1))], state({ last_success_at: ago(45) }));
  const hourly = job([row(45, ORG_RESULT(1))], state({ last_success_at: ago(45) }), cron, 3600);
  const cases: [string, JobStatus[], AlertView[], string, string | null, string | null][] = [
    ["all good", [healthy, healthy], [], "healthy", null, null],
    ["a run in flight", [healthy, job([row(0, null)])], [], "syncing", null, null],
    ["never synced", [job([]), healthy], [], "not_synced", null, "2026-11-23T10:23:00.000Z"],
    ["stale", [stale, healthy], [], "stale", ago(45).toISOString(), null],
    ["45 minutes is within two 1-hour periods", [hourly, healthy], [], "healthy", null, null],
    ["backoff", [backoff, healthy], [], "waiting", null, "2026-11-23T10:40:00.000Z"],
    ["failing since the first of the streak", [failed, healthy], [], "failing", ago(8), null],
    [
      "the seed incident: a project-wide 401 alert while the last run succeeded",
      [healthy, healthy],
      [alert("http_auth_rejected", ago(30), true)],
      "failing",
      ago(30).toISOString(),
      null,
    ],
    [
      "a stale alert is never healthy",
      [healthy, healthy],
      [alert("org_sync_stale", ago(10))],
      "stale",
      ago(10).toISOString(),
      null,
    ],
    [
      "an alert while a run is in flight",
      [job([row(0, null)]), healthy],
      [alert("org_sync_failing", ago(12))],
      "failing",
      ago(12).toISOString(),
      null,
    ],
  ].map(([n, j, a, s, since, until]) => [
    n as string,
    j as JobStatus[],
    a as AlertView[],
    s as string,
    since instanceof Date ? since.toISOString() : since as string | null,
    until as string | null,
  ]);
  for (const [name, jobs, alerts, expected, since, until] of cases) {
    const o = overallState(jobs, alerts, NOW);
    assert.deepEqual([o.state, o.since, o.until], [expected, since, until], name);
  }
  const o = overallState([healthy, healthy], [alert("http_auth_rejected", ago(30), true)], NOW);
  assert.deepEqual(o.because, ["http_auth_rejected"]);
});
