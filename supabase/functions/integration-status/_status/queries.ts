/**
 * What the status page reads besides the sync facts (`sync_facts.ts`), each
 * scoped by the organization id as a SQL parameter: the organization's name,
 * the cron jobs' schedules, and the open watchdog alerts (only when
 * `public.edge_guard_alerts` exists). Internal: use `../status.ts`.
 */
import { asServiceRole, type Sql } from "../../_shared/db.ts";

/** The organization's name; null when it does not exist. */
export async function organizationName(sql: Sql, orgId: string): Promise<string | null> {
  const rows = await asServiceRole(
    sql,
    (tx) => tx<{ name: string }[]>`select name from public.organizations where id = ${orgId}::uuid`,
  );
  return rows[0]?.name ?? null;
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

/** An open watchdog alert. */
export interface AlertRow {
  check_id: string;
  subject: string;
  severity: string;
  detail: string | null;
  /** True for an alert about the whole project (a cron job, a Vault secret). */
  project_wide: boolean;
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
    select check_id::text, subject::text, severity::text, detail::text, project_wide,
      opened_at, last_seen_at
    from public.edge_guard_alerts
    where resolved_at is null and (org_id = ${orgId}::uuid or project_wide)
    order by opened_at desc
    limit 50`;
}
