import assert from "node:assert/strict";
import { foldWatchdog } from "./watchdog.ts";
import { type DoctorFindingId, type Finding, finding } from "./types.ts";

const open = " (alert open since 2026-11-29T10:00:00.000Z, still firing)";
const sqlRow = (id: DoctorFindingId, subject: string) => finding(id, "error", subject, `x${open}`);

Deno.test("foldWatchdog: one row per problem, the doctor's row keeps the alert state", () => {
  const cases: { name: string; own: Finding[]; watchdog: Finding[]; rows: string[] }[] = [
    {
      name: "the same job's 401s fold into the doctor's row",
      own: [finding("http_auth_failures", "error", "bot-scheduler", "1 of 1 response was 401")],
      watchdog: [sqlRow("http_auth_rejected", "bot-scheduler")],
      rows: [
        "http_auth_failures bot-scheduler 1 of 1 response was 401 (watchdog http_auth_rejected: " +
        "alert open since 2026-11-29T10:00:00.000Z, still firing)",
      ],
    },
    {
      name: "another subject stays its own row",
      own: [finding("http_auth_failures", "error", "bot-scheduler", "401")],
      watchdog: [sqlRow("http_auth_rejected", "check-sla-breaches")],
      rows: [
        "http_auth_failures bot-scheduler 401",
        `http_auth_rejected check-sla-breaches x${open}`,
      ],
    },
    {
      name: "a literal key: any of the doctor's key kinds",
      own: [finding("cron_job_anon_key", "error", "odoo-crm-sync-incremental", "anon key")],
      watchdog: [sqlRow("cron_command_literal", "odoo-crm-sync-incremental")],
      rows: [
        "cron_job_anon_key odoo-crm-sync-incremental anon key (watchdog cron_command_literal: " +
        "alert open since 2026-11-29T10:00:00.000Z, still firing)",
      ],
    },
    {
      name: "an ok row of the doctor does not absorb a firing check",
      own: [finding("cron_job_ok", "ok", "bot-scheduler", "fine")],
      watchdog: [sqlRow("cron_command_literal", "bot-scheduler")],
      rows: ["cron_job_ok bot-scheduler fine", `cron_command_literal bot-scheduler x${open}`],
    },
    {
      name: "checks only the watchdog has stay",
      own: [],
      watchdog: [sqlRow("org_sync_stale", "org:1")],
      rows: [`org_sync_stale org:1 x${open}`],
    },
  ];
  for (const c of cases) {
    const rows = foldWatchdog(c.own, c.watchdog).map((f) => `${f.id} ${f.subject} ${f.detail}`);
    assert.deepEqual(rows, c.rows, c.name);
  }
});
