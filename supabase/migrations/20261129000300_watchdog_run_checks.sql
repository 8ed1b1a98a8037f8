-- The watchdog's checks on what the jobs did: call outcomes, cron runs, sync
-- freshness, stuck runs, drift, failing bots; and public.edge_guard_findings(),
-- the union of every check (docs/watchdog.md).
-- Safe to run more than once, on a real Supabase project and on the local stack.

-- The latest answered call(s) of each existing job decide (a job that sends one
-- request per org in a run has several calls with the same requested_at).
-- 401/403 -> http_auth_rejected; 5xx, timeout, no answer, other 4xx -> http_call_failed.
-- One alert per job: the subject is the job, the function is in the detail.
-- A dispatched sync call (..._sync_dispatcher.sql) answers 502 when its
-- organization's Odoo refused or failed, after the function recorded the run
-- as finished: that is one tenant's problem (org_sync_failing below), not the
-- job's; counted here, one broken tenant would open and resolve the job's
-- alert on every call. Calls the function never handled still count.
-- Only the last day of calls is read (outcomes are kept 30 days, one per
-- organization and call with the dispatcher): a job with no answered call for
-- a day is judged by cron_run_failed and org_sync_stale instead.
create or replace function edge_guard.check_calls()
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
  with c as (select * from edge_guard.calls(now() - interval '1 day')),
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

-- The latest run of a job failed (in the last day); its message is not copied
-- (it may quote the command).
create or replace function edge_guard.check_cron_runs(p_now timestamptz)
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
  with recent as (
    select d.jobid, d.runid, d.status, d.start_time from cron.job_run_details d
    where d.start_time > p_now - interval '1 day' and d.status in ('succeeded', 'failed')),
  latest as (select distinct on (r.jobid) r.* from recent r order by r.jobid, r.start_time desc)
  select 'cron_run_failed', coalesce(j.jobname, 'jobid ' || j.jobid), 'error',
    'its latest run (' || l.start_time::text || ', runid ' || l.runid || ') failed; ' ||
    edge_guard.plural((select count(*) from recent r where r.jobid = l.jobid and r.status = 'failed'), 'run') ||
    ' failed in the last day: see cron.job_run_details'
  from latest l join cron.job j on j.jobid = l.jobid
  where l.status = 'failed'
$$;

-- An org with an Odoo credential whose last good sync (per job) is older than
-- two sync periods, counted from when the credential was added if it never synced.
-- The last good sync is the dispatcher's public.sync_org_state (one row per
-- organization and job), or a pass over every organization (a service call
-- without org_id, which the dispatcher does not track) read only within the
-- periods that matter, through the (integration, job, scheduled_for) index.
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

-- Sync runs still `running` longer than an edge function can live; the
-- watchdog reaps them to `failed` (which frees their period).
create or replace function edge_guard.check_stuck_runs(p_now timestamptz, p_lifetime interval)
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
  select 'sync_run_stuck', 'sync_run:' || r.id, 'error',
    r.integration || ' ' || r.job || ' run for ' || r.scheduled_for::text || ' has been running since ' ||
    r.started_at::text || ', longer than an edge function can live (' || p_lifetime::text ||
    '): the watchdog marks it failed'
  from public.sync_runs r
  where r.status = 'running' and r.started_at < p_now - p_lifetime
$$;

-- The latest sync run of a job started more than the tolerance after it was scheduled.
create or replace function edge_guard.check_drift(p_now timestamptz, p_tolerance interval)
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
  select 'schedule_drift', l.integration || ':' || l.job, 'warn',
    'its latest run, scheduled for ' || l.scheduled_for::text || ', started ' ||
    date_trunc('second', l.started_at - l.scheduled_for)::text || ' late (more than ' ||
    p_tolerance::text || ')'
  from (select distinct on (r.integration, r.job) r.* from public.sync_runs r
    where r.scheduled_for > p_now - interval '1 day'
    order by r.integration, r.job, r.scheduled_for desc) l
  where l.started_at - l.scheduled_for > p_tolerance
$$;

-- An enabled bot whose last N runs all failed.
create or replace function edge_guard.check_bots(p_runs integer)
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
  select 'bot_keeps_failing', 'bot:' || b.id::text, 'warn',
    'its last ' || edge_guard.plural(p_runs, 'run') || ' failed, the latest at ' ||
    max(r.started_at)::text || ' (bot-executor webhook calls; see public.bot_runs)'
  from public.bots b
  cross join lateral (select x.status, x.started_at from public.bot_runs x
    where x.bot_id = b.id order by x.started_at desc limit p_runs) r
  where b.enabled
  group by b.id
  having count(*) = p_runs and bool_and(r.status = 'failed')
$$;

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

revoke all on all functions in schema edge_guard from public, anon, authenticated, service_role;

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
