/**
 * What the status page reads, each scoped by the organization id as a SQL
 * parameter: the latest `sync_runs` row that concerns the organization per
 * job, the cron jobs' schedules, and the open watchdog alerts (only when
 * `public.edge_guard_alerts` exists). Internal: use `../integration-status.ts`.
 */
import { asServiceRole, type Sql } from "../../_shared/db.ts";

/** The latest run of a job that concerns one organization. */
export interface RunRow {
  id: string;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  idempotency_key: string;
  /** `org_results -> org` (null while running). */
  result: Record<string, unknown> | null;
}

/**
 * The latest run of `job` that synced `orgId` (its per-org result is in
 * `org_results`), or a running one meant for it (its key names the org, or a
 * cron run for every organization). Newest by `scheduled_for` (indexed).
 */
export async function latestRun(sql: Sql, job: string, orgId: string): Promise<RunRow | null> {
  const rows = await asServiceRole(sql, (tx) =>
    tx<RunRow[]>`
      select id::text, status, started_at, finished_at, idempotency_key,
        org_results -> ${orgId}::text as result
      from public.sync_runs
      where integration = 'odoo' and job = ${job}
        and (org_results ? ${orgId}::text
          or (status = 'running' and (strpos(idempotency_key, ${orgId}::text) > 0
            or idempotency_key !~ '[0-9a-f]{8}-[0-9a-f]{4}-')))
      order by scheduled_for desc, id desc
      limit 1`);
  return rows[0] ?? null;
}

/** A cron job's schedule; null when cron.job cannot be read. */
export async function cronSchedules(
  sql: Sql,
  names: string[],
): Promise<Map<string, { schedule: string; active: boolean }> | null> {
  try {
    // As the connecting role: pg_cron shows a role only the jobs it owns, and
    // the migrations (which created them) run as that role.
    const rows = await sql<{ jobname: string; schedule: string; active: boolean }[]>`
      select jobname, schedule, active from cron.job where jobname in ${sql(names)}`;
    return new Map(rows.map((r) => [r.jobname, { schedule: r.schedule, active: r.active }]));
  } catch {
    return null;
  }
}

/** Where the sync queue has the organization, per job (`public.sync_org_state`). */
export interface OrgDueRow {
  job: string;
  last_success_at: Date | null;
  next_attempt_at: Date | null;
}

/**
 * The sync queue's state of `orgId` per job; empty when the sync_org_state
 * table does not exist (`to_regclass`) or the organization is not enrolled.
 */
export async function orgDueState(sql: Sql, orgId: string): Promise<Map<string, OrgDueRow>> {
  const rows = await asServiceRole(sql, async (tx) => {
    const [{ present }] = await tx<{ present: boolean }[]>`
      select to_regclass('public.sync_org_state') is not null as present`;
    if (!present) return [];
    return await tx<OrgDueRow[]>`
      select job, last_success_at, next_attempt_at from public.sync_org_state
      where org_id = ${orgId}::uuid`;
  });
  return new Map(rows.map((r) => [r.job, r]));
}

/** An open watchdog alert. */
export interface AlertRow {
  check_id: string;
  subject: string;
  severity: string;
  detail: string | null;
  opened_at: Date;
  last_seen_at: Date;
}

/**
 * Open alerts that concern the organization (`org_id`: its organization, run
 * or bot, filled in by the watchdog migration's trigger) or the whole project
 * (`project_wide`: a cron job or a Vault secret, which stop every
 * organization's jobs). Alerts of another organization, and those of no single
 * organization that are not project-wide (a stuck run over every
 * organization), are never returned. Null when the table does not exist (yet).
 */
export async function openAlerts(sql: Sql, orgId: string): Promise<AlertRow[] | null> {
  const [{ present }] = await sql<{ present: boolean }[]>`
    select to_regclass('public.edge_guard_alerts') is not null as present`;
  if (!present) return null;
  return await sql<AlertRow[]>`
    select check_id::text, subject::text, severity::text, detail::text, opened_at, last_seen_at
    from public.edge_guard_alerts
    where resolved_at is null and (org_id = ${orgId}::uuid or project_wide)
    order by opened_at desc
    limit 50`;
}
