/**
 * SLA breaches: leads that have gone longer than their organisation's policy
 * allows without progress. Found and recorded by one set-based statement.
 *
 * @module
 */
import { asServiceRole, type Sql } from "./db.ts";

/** New breaches recorded for one organisation (every org with an enabled policy in scope). */
export interface SlaOrgCount {
  org_id: string;
  new_breaches: number;
}

/** The result of one check. */
export interface SlaReport {
  checked_at: string;
  new_breaches: number;
  orgs: SlaOrgCount[];
}

/** Options of {@linkcode recordSlaBreaches}. */
export interface SlaOptions {
  /** The time the check runs at. */
  now: Date;
  /** Only this organisation; null = all. */
  orgId: string | null;
}

/**
 * Records one breach per (enabled policy, lead) for every active lead (not
 * archived, not deleted in Odoo: `deleted_at` is null) whose
 * last progress (write_date, else create_date) is older than now minus the
 * policy's max_hours_without_progress, in the policy's stage when it names one
 * (stage_id, else stage_name). `on conflict do nothing`: a second run records
 * nothing new, and an existing breach is left as it is.
 *
 * @param sql the pool; runs as the service_role database role.
 * @param o the check time and optional organisation.
 * @returns counts of new breaches, per organisation and in total.
 * @example
 * const report = await recordSlaBreaches(sql, { now: new Date(), orgId: null });
 * console.log(report.new_breaches, report.orgs);
 */
export async function recordSlaBreaches(sql: Sql, o: SlaOptions): Promise<SlaReport> {
  const rows = await asServiceRole(sql, (tx) =>
    tx<SlaOrgCount[]>`
      with policies as (
        select id, org_id, stage_id, stage_name, max_hours_without_progress as max_hours
        from public.sla_policies
        where enabled and (${o.orgId}::uuid is null or org_id = ${o.orgId}::uuid)
      ), overdue as (
        select p.id as policy_id, p.org_id, l.odoo_id, p.max_hours,
          coalesce(l.write_date, l.create_date) as last_progress_at
        from policies p
        join public.crm_leads l on l.org_id = p.org_id
        where l.active and l.deleted_at is null
          and coalesce(l.write_date, l.create_date)
            < ${o.now}::timestamptz - p.max_hours * interval '1 hour'
          and case
            when p.stage_id is not null then l.stage_id = p.stage_id
            when p.stage_name is not null then l.stage_name = p.stage_name
            else true
          end
      ), inserted as (
        insert into public.sla_breaches
          (policy_id, org_id, lead_odoo_id, detected_at, last_progress_at, hours_overdue)
        select policy_id, org_id, odoo_id, ${o.now}, last_progress_at,
          round(extract(epoch from (${o.now}::timestamptz - last_progress_at)) / 3600
            - max_hours, 2)
        from overdue
        on conflict (policy_id, org_id, lead_odoo_id) do nothing
        returning org_id
      )
      select o.org_id, count(i.org_id)::int as new_breaches
      from (select distinct org_id from policies) o
      left join inserted i on i.org_id = o.org_id
      group by o.org_id
      order by o.org_id`);
  const orgs = rows.map((r) => ({ org_id: r.org_id, new_breaches: r.new_breaches }));
  return {
    checked_at: o.now.toISOString(),
    new_breaches: orgs.reduce((sum, r) => sum + r.new_breaches, 0),
    orgs,
  };
}
