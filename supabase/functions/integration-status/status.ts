/**
 * The integration status of one organization, for its people's status page:
 * its name and one overall state in words, each Odoo job's last success,
 * last attempt, next attempt and why, and recent runs, and the open watchdog
 * alerts that concern the organization. Call it only after the auth guard has
 * passed, with the organization taken from the verified token.
 *
 * @module
 */
import type { Sql } from "../_shared/db.ts";
import { nextCronTime } from "./_status/cron.ts";
import { cronSchedules, openAlerts, organizationName } from "./_status/queries.ts";
import {
  lastSuccessfulRun,
  orgSyncState,
  periodOf,
  recentRuns,
  syncPeriods,
} from "./_status/sync_facts.ts";
import { jobStatus } from "./_status/job.ts";
import { overallState } from "./_status/overall.ts";
import type { AlertView, IntegrationStatus } from "./_status/types.ts";

export { nextCronTime };
export { overallState, STALE_AFTER_PERIODS } from "./_status/overall.ts";
export { jobStatus, runView } from "./_status/job.ts";
export type { JobFacts } from "./_status/job.ts";
export type { OrgSyncState, RunRow } from "./_status/sync_facts.ts";
export type {
  AlertView,
  IntegrationStatus,
  JobStatus,
  NextAttempt,
  Overall,
  RunView,
} from "./_status/types.ts";

/** A job the page shows: its sync function and its cron job. */
const JOBS = [
  { job: "crm", label: "CRM leads", function: "odoo-crm-sync", cron: "odoo-crm-sync-incremental" },
  {
    job: "chatter",
    label: "Lead chatter",
    function: "odoo-chatter-sync",
    cron: "odoo-chatter-sync-incremental",
  },
] as const;

/** Runs kept in a job's history. */
export const HISTORY_LENGTH = 5;

/**
 * Reads the status of `orgId`'s integration jobs.
 *
 * @param orgId the organization from the verified token (or a service caller's `org_id`).
 * @param options `sql` (the function's pool) and `now` (for the next times and staleness).
 * @returns the {@linkcode IntegrationStatus}.
 * @example
 * const status = await readIntegrationStatus(auth.orgId, { sql, now: new Date() });
 */
export async function readIntegrationStatus(
  orgId: string,
  options: { sql: Sql; now: Date },
): Promise<IntegrationStatus> {
  const { sql, now } = options;
  const schedules = await cronSchedules(sql, JOBS.map((j) => j.cron));
  const states = await orgSyncState(sql, orgId);
  const periods = await syncPeriods(sql);
  const jobs = await Promise.all(JOBS.map(async (j) =>
    jobStatus({
      job: j.job,
      label: j.label,
      function: j.function,
      cron: schedules?.get(j.cron),
      periodSeconds: periodOf(periods, j.job),
      state: states.get(j.job),
      runs: await recentRuns(sql, j.job, orgId, HISTORY_LENGTH),
      lastSuccess: await lastSuccessfulRun(sql, j.job, orgId),
    }, now)
  ));
  const rows = await openAlerts(sql, orgId);
  const alerts: AlertView[] | null = rows?.map((a) => ({
    ...a,
    opened_at: a.opened_at.toISOString(),
    last_seen_at: a.last_seen_at.toISOString(),
  })) ?? null;
  return {
    organization_id: orgId,
    organization_name: await organizationName(sql, orgId),
    generated_at: now.toISOString(),
    overall: overallState(jobs, alerts ?? [], now),
    jobs,
    alerts,
  };
}
