-- The watchdog's freshness check, once the sync dispatcher exists
-- (..._sync_dispatcher.sql): an organization's last good sync per job comes
-- from public.sync_org_state (one row per organization and job, kept by the
-- dispatcher's trigger), so a pass costs one row per organization instead of
-- a scan of every sync run per organization. Runs over every organization
-- (a service call without org_id, which the dispatcher does not track) still
-- count, read only within the two periods that matter, through the
-- (integration, job, scheduled_for) index.
-- Safe to run more than once, on a real Supabase project and locally.

create or replace function edge_guard.check_freshness(p_now timestamptz, p_period interval)
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
  with orgs as (
    select c.org_id, min(c.created_at) as since from public.integration_credentials c
    where c.integration_type = 'odoo' group by c.org_id),
  passes as (
    select r.job, r.org_results, coalesce(r.finished_at, r.started_at) as at
    from public.sync_runs r
    where r.integration = 'odoo' and r.org_id is null
      and r.scheduled_for >= p_now - 2 * p_period - interval '1 hour'),
  last_ok as (
    select o.org_id, o.since, j.job, greatest(s.last_success_at,
      (select max(p.at) from passes p
        where p.job = j.job and p.org_results -> (o.org_id::text) ->> 'status' = 'ok')) as at
    from orgs o cross join (values ('crm'), ('chatter')) j(job)
    left join public.sync_org_state s on s.org_id = o.org_id and s.job = j.job),
  stale as (
    select * from last_ok where coalesce(at, since) < p_now - 2 * p_period)
  select 'org_sync_stale', 'org:' || s.org_id::text, 'error',
    string_agg(s.job || case when s.at is null then ' never synced'
      else ' last synced ' || s.at::text end, '; ' order by s.job) ||
    ': older than two sync periods (' || (2 * p_period)::text || ')'
  from stale s group by s.org_id
$$;
revoke all on function edge_guard.check_freshness(timestamptz, interval)
  from public, anon, authenticated, service_role;
