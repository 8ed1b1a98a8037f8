-- The watchdog, once the sync dispatcher sends one request per organization
-- (..._sync_dispatcher.sql): one tenant's failing Odoo is that organization's
-- problem, not the job's.
--
-- A dispatched sync call answers 502 when its organization's Odoo refused or
-- failed, after the function recorded the run as finished. Counted as a failed
-- call of the job, a single broken tenant would open the job's alert, resolve
-- it on the next tenant's good call, open it again, and notify each time. So
-- http_call_failed skips such answers (the function ran and reported), and
-- org_sync_failing opens one alert per organization instead, from the
-- dispatcher's own record of consecutive failures. Calls the function never
-- handled (401/403, a crash, a timeout, no answer) still count for the job.
-- Safe to run more than once, on a real Supabase project and locally.

create index if not exists sync_runs_request_idx
  on public.sync_runs (request_id) where request_id is not null;

create or replace function edge_guard.check_calls()
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
  with c as (
    select o.request_id, o.job_name, o.function_name, o.requested_at, o.status_code,
      o.timed_out, o.status_code is null and not o.timed_out as failed_to_send
    from public.edge_guard_call_outcomes o
    union all
    select q.request_id, q.job_name, q.function_name, q.created_at, r.status_code,
      coalesce(r.timed_out, false), r.status_code is null and not coalesce(r.timed_out, false)
    from public.cron_http_requests q join net._http_response r on r.id = q.request_id
    where not exists (select 1 from public.edge_guard_call_outcomes o
      where o.request_id = q.request_id and o.requested_at = q.created_at)),
  -- An answer the function gave after finishing its dispatched run (pg_net ids
  -- can restart, hence the time window): the organization's own outcome.
  job_calls as (
    select c.* from c
    where not (c.status_code >= 500 and exists (
      select 1 from public.sync_runs s
      where s.request_id = c.request_id
        and s.dispatched_at between c.requested_at - interval '1 minute'
          and c.requested_at + interval '1 minute'
        and s.status in ('succeeded', 'partial', 'failed')
        and coalesce(s.error_summary, '') not in ('run_lost', 'dispatch_failed')))),
  latest as (
    select c.job_name, max(c.requested_at) as at from job_calls c
    where exists (select 1 from cron.job j where j.jobname = c.job_name)
    group by c.job_name),
  batch as (
    select c.job_name, min(c.function_name) as fn, l.at, count(*) as calls,
      count(*) filter (where c.status_code in (401, 403)) as auth,
      string_agg(distinct c.status_code::text, '/') filter (where c.status_code in (401, 403)) as auth_codes,
      count(*) filter (where c.status_code >= 500) as s5xx,
      count(*) filter (where c.timed_out) as timeouts,
      count(*) filter (where c.failed_to_send) as unsent,
      count(*) filter (where c.status_code between 400 and 499 and c.status_code not in (401, 403)) as s4xx
    from job_calls c join latest l on l.job_name = c.job_name and l.at = c.requested_at
    group by c.job_name, l.at)
  select 'http_auth_rejected', b.job_name, 'error',
    edge_guard.plural(b.auth, 'call') || ' of its latest run (' || b.at::text || ') to /functions/v1/' ||
    b.fn || ' answered ' || b.auth_codes || ': the function did not accept its key' ||
    ' (' || edge_guard.plural(b.calls, 'response') || ' in that run)'
  from batch b where b.auth > 0
  union all
  select 'http_call_failed', b.job_name, 'error',
    concat_ws(', ',
      case when b.s5xx > 0 then edge_guard.plural(b.s5xx, 'answer') || ' with a 5xx status' end,
      case when b.timeouts > 0 then edge_guard.plural(b.timeouts, 'timeout') end,
      case when b.unsent > 0 then edge_guard.plural(b.unsent, 'call') || ' that got no answer' end,
      case when b.s4xx > 0 then edge_guard.plural(b.s4xx, 'answer') || ' with another 4xx status' end) ||
    ' in its latest run (' || b.at::text || ') to /functions/v1/' || b.fn ||
    ' (' || edge_guard.plural(b.calls, 'response') || ')'
  from batch b where b.auth = 0 and b.s5xx + b.timeouts + b.unsent + b.s4xx > 0
$$;
revoke all on function edge_guard.check_calls() from public, anon, authenticated, service_role;

-- An organization whose dispatched syncs keep failing (per job, from
-- public.sync_org_state): at once when its Odoo refuses the key or the
-- credential is unusable (no retry will fix it), after two failures in a row
-- otherwise (one timeout is not worth waking anyone). One alert per
-- organization; the detail names the job, the fixed error code and the next try.
create or replace function edge_guard.check_org_failures()
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
  select 'org_sync_failing', 'org:' || s.org_id::text, 'error',
    string_agg(s.job || ' failed ' || edge_guard.plural(s.consecutive_failures, 'time') ||
      ' in a row (' || coalesce(s.last_error, 'unknown') || ')' ||
      coalesce(', next try ' || s.next_attempt_at::text, ''), '; ' order by s.job)
  from public.sync_org_state s
  where s.consecutive_failures >= 2
    or (s.consecutive_failures >= 1 and s.last_error in ('odoo_auth_failed', 'credential_missing'))
  group by s.org_id
$$;
revoke all on function edge_guard.check_org_failures() from public, anon, authenticated, service_role;

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
    union all select x.* from s, edge_guard.check_stuck_runs(p_now, s.run_max_lifetime) x
    union all select x.* from s, edge_guard.check_drift(p_now, s.drift_tolerance) x
    union all select x.* from s, edge_guard.check_bots(s.failing_runs) x)
  select distinct on (f.check_id, f.subject) f.check_id, edge_guard.redact(f.subject),
    f.severity, edge_guard.redact(f.detail)
  from f order by f.check_id, f.subject
$$;
revoke all on function public.edge_guard_findings(timestamptz) from public, anon, authenticated;
grant execute on function public.edge_guard_findings(timestamptz) to service_role;
