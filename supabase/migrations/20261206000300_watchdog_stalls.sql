-- The watchdog's org_sync_stalled check (issue 25, docs/watchdog.md): an
-- organization whose sync made no forward progress in its last N runs, whatever
-- those runs reported ("ok, incomplete" included). The sync functions count
-- such runs in public.sync_cursors.stalled_runs (see ..._sync_progress.sql).
-- Safe to run more than once, on a real Supabase project (as the non-superuser
-- postgres) and on the local stack.

-- Runs in a row without progress before org_sync_stalled opens.
alter table public.edge_guard_settings
  add column if not exists stalled_runs integer not null default 3;
alter table public.edge_guard_settings drop constraint if exists edge_guard_settings_stalled_runs;
alter table public.edge_guard_settings add constraint edge_guard_settings_stalled_runs
  check (stalled_runs > 0);

-- One alert per organization (with an Odoo credential); the detail names each
-- stalled job, how many runs, where its walk stands and when it last moved.
create or replace function edge_guard.check_org_stalls(p_runs integer)
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
  select 'org_sync_stalled', 'org:' || c.org_id::text, 'error',
    string_agg(c.job || ' made no forward progress in its last ' ||
      edge_guard.plural(c.stalled_runs, 'run') || ' (position ' ||
      coalesce(coalesce(c.pass_write_date, c.cursor_write_date)::text || ' id ' ||
        coalesce(c.pass_id, c.cursor_id, 0)::text, 'none') ||
      ', last progress ' || coalesce(c.progressed_at::text, 'never') || ')', '; ' order by c.job)
  from public.sync_cursors c
  where c.stalled_runs >= p_runs
    and exists (select 1 from public.integration_credentials i
      where i.org_id = c.org_id and i.integration_type = 'odoo')
  group by c.org_id
$$;
revoke all on function edge_guard.check_org_stalls(integer)
  from public, anon, authenticated, service_role;

/**
 * Every finding right now, one row per (check_id, subject); read-only.
 * Used by public.edge_guard_watchdog() and by `./dev doctor`.
 */
-- Its body names edge_guard_settings.sync_period, dropped by
-- 20261206300100_sync_run_identity.sql: so that this file can still run again
-- after that one, the body is not checked here (the newest migration's
-- definition replaces it).
set check_function_bodies = off;
create or replace function public.edge_guard_findings(p_now timestamptz default now())
returns table (check_id text, subject text, severity text, detail text)
language sql stable
security definer
set search_path = ''
as $$
  with s as (select * from public.edge_guard_settings limit 1),
  f as (
    select * from edge_guard.check_cron_commands()
    union all select * from edge_guard.check_cron_owners()
    union all select * from edge_guard.check_vault(p_now)
    union all select * from edge_guard.check_calls()
    union all select * from edge_guard.check_cron_runs(p_now)
    union all select x.* from s, edge_guard.check_freshness(p_now, s.sync_period) x
    union all select * from edge_guard.check_org_failures()
    union all select x.* from s, edge_guard.check_org_stalls(s.stalled_runs) x
    union all select x.* from s, edge_guard.check_stuck_runs(p_now, s.run_max_lifetime) x
    union all select x.* from s, edge_guard.check_drift(p_now, s.drift_tolerance) x
    union all select x.* from s, edge_guard.check_bots(s.failing_runs) x)
  select distinct on (f.check_id, f.subject) f.check_id, edge_guard.redact(f.subject),
    f.severity, edge_guard.redact(f.detail)
  from f order by f.check_id, f.subject
$$;
reset check_function_bodies;
revoke all on function public.edge_guard_findings(timestamptz) from public, anon, authenticated;
grant execute on function public.edge_guard_findings(timestamptz) to service_role;
