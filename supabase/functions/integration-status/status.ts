/**
 * The integration status of one organization, for its people's status page:
 * each Odoo job with its last run (time, status, counts, incomplete when the
 * run stopped at its deadline), when the cron job fires next, and the open
 * watchdog alerts that concern the organization. Call it only after the auth
 * guard has passed, with the organization taken from the verified token.
 *
 * @module
 */
import type { Sql } from "../_shared/db.ts";
import { nextCronTime } from "./_status/cron.ts";
import {
  type AlertRow,
  cronSchedules,
  latestRun,
  openAlerts,
  type OrgDueRow,
  orgDueState,
  type RunRow,
} from "./_status/queries.ts";

export { nextCronTime };

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

/** The organization's outcome of a run. */
export interface LastRun {
  run_id: number;
  /** `running`, `succeeded`, `incomplete` (deadline reached; continues next run) or `failed`. */
  status: "running" | "succeeded" | "incomplete" | "failed";
  /** `manual` (someone's "sync now") or `scheduled` (cron). */
  trigger: "manual" | "scheduled";
  started_at: string;
  finished_at: string | null;
  fetched: number;
  upserted: number;
  pages: number;
  /** The fixed failure code (`odoo_auth_failed`, ...) when failed. */
  error: string | null;
}

/** One job of the page. */
export interface JobStatus {
  job: "crm" | "chatter";
  label: string;
  function: string;
  /** The cron schedule, or null when the job is missing or cron.job cannot be read. */
  schedule: string | null;
  /**
   * When the organization is next synced by the schedule (UTC): the first cron
   * tick at which the dispatcher finds it due (not yet synced this 15-minute
   * period, no backoff pending); null when the job is missing, paused, or its
   * schedule is not understood.
   */
  next_run_at: string | null;
  last_run: LastRun | null;
}

/** What the function answers. */
export interface IntegrationStatus {
  organization_id: string;
  generated_at: string;
  jobs: JobStatus[];
  /** Open alerts; null while the watchdog's table does not exist. */
  alerts: Omit<AlertRow, "opened_at" | "last_seen_at">[] | null;
}

const num = (v: unknown) => (typeof v === "number" ? v : 0);

function lastRun(row: RunRow): LastRun {
  const r = row.result ?? {};
  const status = row.status === "running" && row.result === null
    ? "running"
    : r.status === "error"
    ? "failed"
    : r.complete === false
    ? "incomplete"
    : "succeeded";
  return {
    run_id: Number(row.id),
    status,
    trigger: row.idempotency_key.includes(":manual:") ? "manual" : "scheduled",
    started_at: row.started_at.toISOString(),
    finished_at: row.finished_at?.toISOString() ?? null,
    fetched: num(r.fetched),
    upserted: num(r.upserted),
    pages: num(r.pages),
    error: typeof r.error === "string" ? r.error : null,
  };
}

const PERIOD_MS = 15 * 60_000;

/**
 * The earliest time the dispatcher may send the organization again (the cron
 * job ticks every minute; an organization is due once per 15-minute period,
 * and not before its backoff ends): `now` without dispatcher state.
 */
function dueFrom(state: OrgDueRow | undefined, now: Date): Date {
  const periodStart = Math.floor(now.getTime() / PERIOD_MS) * PERIOD_MS;
  const successAt = state?.last_success_at?.getTime() ?? -Infinity;
  const afterSuccess = successAt >= periodStart ? periodStart + PERIOD_MS : now.getTime();
  const retryAt = state?.next_attempt_at?.getTime() ?? -Infinity;
  return new Date(Math.max(afterSuccess, retryAt, now.getTime()));
}

/**
 * Reads the status of `orgId`'s integration jobs.
 *
 * @param orgId the organization from the verified token (or a service caller's `org_id`).
 * @param options `sql` (the function's pool) and `now` (for the next cron time).
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
  const due = await orgDueState(sql, orgId);
  const jobs = await Promise.all(JOBS.map(async (j): Promise<JobStatus> => {
    const cron = schedules?.get(j.cron);
    const from = dueFrom(due.get(j.job), now);
    const next = cron?.active ? nextCronTime(cron.schedule, new Date(from.getTime() - 1)) : null;
    const row = await latestRun(sql, j.job, orgId);
    return {
      job: j.job,
      label: j.label,
      function: j.function,
      schedule: cron?.schedule ?? null,
      next_run_at: next?.toISOString() ?? null,
      last_run: row === null ? null : lastRun(row),
    };
  }));
  const alerts = await openAlerts(sql, orgId);
  return {
    organization_id: orgId,
    generated_at: now.toISOString(),
    jobs,
    alerts: alerts?.map((a) => ({
      ...a,
      opened_at: a.opened_at.toISOString(),
      last_seen_at: a.last_seen_at.toISOString(),
    })) ?? null,
  };
}
