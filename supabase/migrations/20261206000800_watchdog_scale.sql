-- The watchdog at 100,000 tenants (issue 26, docs/watchdog.md): every check
-- reads indexed state set-based (sync_org_state, not a subquery per
-- organization), the outcome copy reads only recent calls, and retention moves
-- to its own job, `edge-guard-prune`, which deletes in bounded batches and so
-- always completes. Safe to run more than once, on hosted and locally.

-- sync_runs is the largest table (one row per organization, job and period:
-- 19.2 million a day at 100,000 tenants, bench/RESULTS.md): keep 6 hours.
alter table public.edge_guard_settings add column if not exists run_retention interval not null
  default interval '6 hours';
alter table public.edge_guard_settings add column if not exists archive_retention interval not null
  default interval '3 days';
alter table public.edge_guard_settings add column if not exists worker_retention interval not null
  default interval '1 day';
alter table public.edge_guard_settings add column if not exists prune_batch integer not null
  default 50000;
alter table public.edge_guard_settings add column if not exists prune_schedule text not null
  default '* * * * *';

-- The latest answered call(s) of each job decide: 401/403 -> http_auth_rejected;
-- 5xx, timeout, no answer, other 4xx -> http_call_failed. A sync wake-up
-- answers 202 at once, so a tenant's failure never shows here (it is
-- org_sync_failing's). Only the last day of calls is read.
create or replace function edge_guard.check_calls()
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
  with c as (select * from edge_guard.calls(now() - interval '1 day')),
  latest as (
    select c.job_name, max(c.requested_at) as at from c
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
    from c join latest l on l.job_name = c.job_name and l.at = c.requested_at
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

-- An enrolled organization whose last good sync (per job) is older than two
-- periods, counted from enrolment if it never synced: one range scan of
-- sync_org_state_fresh_idx, whatever the number of tenants.
create or replace function edge_guard.check_freshness(p_now timestamptz, p_period interval)
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
  select 'org_sync_stale', 'org:' || s.org_id::text, 'error',
    string_agg(s.job || case when s.last_success_at is null then ' never synced'
      else ' last synced ' || s.last_success_at::text end, '; ' order by s.job) ||
    ': older than two sync periods (' || (2 * p_period)::text || ')'
  from public.sync_org_state s
  where coalesce(s.last_success_at, s.enrolled_at) < p_now - 2 * p_period
  group by s.org_id
$$;

-- Failing organizations (sync_org_state_failing_idx): at once when its Odoo
-- refuses the key or the credential is unusable, after two failures in a row
-- otherwise; parked ones (park_after failures) have their own alert, opened
-- once and kept open while they are retried slowly.
create or replace function edge_guard.check_org_failures()
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
  select case when bool_or(s.parked_at is not null) then 'org_sync_parked' else 'org_sync_failing' end,
    'org:' || s.org_id::text, 'error',
    string_agg(s.job || ' failed ' || edge_guard.plural(s.consecutive_failures, 'time') ||
      ' in a row (' || coalesce(s.last_error, 'unknown') || ')' ||
      case when s.parked_at is not null then ', parked since ' || s.parked_at::text else '' end ||
      coalesce(', next try ' || s.next_attempt_at::text, ''), '; ' order by s.job)
  from public.sync_org_state s
  where s.consecutive_failures > 0 and (s.consecutive_failures >= 2
    or s.last_error in ('odoo_auth_failed', 'credential_missing') or s.parked_at is not null)
  group by s.org_id
$$;

-- org_sync_stalled (first in ..._watchdog_stalls.sql) over the queue's state:
-- an organization is watched while the queue has it enrolled (sync_org_state,
-- a primary-key probe per stalled cursor), not by a lookup of its credential.
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
  join public.sync_org_state s on s.org_id = c.org_id and s.job = c.job
  where c.stalled_runs >= p_runs
  group by c.org_id
$$;

-- The latest run of each job (one index probe per job) started more than the tolerance late.
create or replace function edge_guard.check_drift(p_now timestamptz, p_tolerance interval)
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
  select 'schedule_drift', l.integration || ':' || l.job, 'warn',
    'its latest run, scheduled for ' || l.scheduled_for::text || ', started ' ||
    date_trunc('second', l.started_at - l.scheduled_for)::text || ' late (more than ' ||
    p_tolerance::text || ')'
  from (values ('odoo', 'crm'), ('odoo', 'chatter')) j(integration, job)
  cross join lateral (select r.* from public.sync_runs r
    where r.integration = j.integration and r.job = j.job and r.scheduled_for > p_now - interval '1 day'
    order by r.scheduled_for desc limit 1) l
  where l.started_at - l.scheduled_for > p_tolerance
$$;
revoke all on all functions in schema edge_guard from public, anon, authenticated, service_role;

-- Copies answered cron calls of the last day (pg_net keeps answers 6 hours) into the durable table.
create or replace function edge_guard.capture_outcomes()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  n integer;
begin
  insert into public.edge_guard_call_outcomes as o
    (request_id, job_name, function_name, requested_at, status_code, timed_out, error, responded_at)
  select c.request_id, c.job_name, c.function_name, c.created_at, r.status_code,
    coalesce(r.timed_out, false), edge_guard.redact(left(r.error_msg, 300)), r.created
  from public.cron_http_requests c join net._http_response r on r.id = c.request_id
  where c.created_at > now() - interval '1 day'
    and not exists (select 1 from public.edge_guard_call_outcomes x
      where x.request_id = c.request_id and x.requested_at = c.created_at)
  on conflict (request_id) do update
    set job_name = excluded.job_name, function_name = excluded.function_name,
      requested_at = excluded.requested_at, status_code = excluded.status_code,
      timed_out = excluded.timed_out, error = excluded.error,
      responded_at = excluded.responded_at, recorded_at = now();
  get diagnostics n = row_count;
  return n;
end
$$;
revoke all on function edge_guard.capture_outcomes() from public, anon, authenticated, service_role;

-- Deletes at most p_batch rows of `p_table` matching `p_where`.
create or replace function edge_guard.prune_batch(p_table text, p_where text, p_batch integer)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  n integer;
begin
  execute format('delete from %s where ctid = any(array(select ctid from %s where %s limit %s))',
    p_table, p_table, p_where, p_batch);
  get diagnostics n = row_count;
  return n;
end
$$;
revoke all on function edge_guard.prune_batch(text, text, integer)
  from public, anon, authenticated, service_role;

/**
 * One retention pass, bounded: at most prune_batch rows per table (finished
 * sync runs, call outcomes, resolved alerts, queue archives, ended workers,
 * the cron request log), so it always completes; the job runs every minute
 * and catches up. Returns how many rows it deleted per table.
 */
create or replace function public.edge_guard_prune()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  s public.edge_guard_settings;
  b integer;
begin
  select * into s from public.edge_guard_settings limit 1;
  b := s.prune_batch;
  return jsonb_build_object(
    'sync_runs', edge_guard.prune_batch('public.sync_runs',
      format('finished_at < now() - %L::interval', s.run_retention), b),
    'call_outcomes', edge_guard.prune_batch('public.edge_guard_call_outcomes',
      format('requested_at < now() - %L::interval', s.outcome_retention), b),
    'alerts', edge_guard.prune_batch('public.edge_guard_alerts',
      format('resolved_at < now() - %L::interval', s.alert_retention), b),
    'archive_crm', edge_guard.prune_batch('pgmq.a_odoo_sync_crm',
      format('archived_at < now() - %L::interval', s.archive_retention), b),
    'archive_chatter', edge_guard.prune_batch('pgmq.a_odoo_sync_chatter',
      format('archived_at < now() - %L::interval', s.archive_retention), b),
    'workers', edge_guard.prune_batch('public.sync_workers',
      format('woken_at < now() - %L::interval and (stopped_at is not null or lease_until < now())',
        s.worker_retention), b),
    'cron_requests', edge_guard.prune_batch('public.cron_http_requests',
      'created_at < now() - interval ''7 days''', b));
end
$$;
revoke all on function public.edge_guard_prune() from public, anon, authenticated;
grant execute on function public.edge_guard_prune() to service_role;

/**
 * One watchdog pass: copy call outcomes, evaluate the checks, open / refresh /
 * resolve alerts, notify the webhook of each opening and resolution, reap dead
 * sync runs (sync_runs_running_idx). Retention is edge-guard-prune's. Returns a summary.
 */
create or replace function public.edge_guard_watchdog(p_now timestamptz default now())
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  s public.edge_guard_settings;
  found jsonb;
  captured integer;
  opened bigint[];
  resolved bigint[];
  notified integer;
  reaped integer;
begin
  -- One pass at a time (a slow pass must not overlap the next).
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('edge-guard-watchdog'));
  select * into s from public.edge_guard_settings limit 1;
  captured := edge_guard.capture_outcomes();
  select coalesce(jsonb_agg(to_jsonb(f)), '[]'::jsonb) into found
  from public.edge_guard_findings(p_now) f;

  update public.edge_guard_alerts a
  set last_seen_at = p_now, severity = f.severity, detail = f.detail
  from jsonb_to_recordset(found) f(check_id text, subject text, severity text, detail text)
  where a.resolved_at is null and a.check_id = f.check_id and a.subject = f.subject;

  with ins as (
    insert into public.edge_guard_alerts (check_id, subject, severity, detail, opened_at, last_seen_at)
    select f.check_id, f.subject, f.severity, f.detail, p_now, p_now
    from jsonb_to_recordset(found) f(check_id text, subject text, severity text, detail text)
    where not exists (select 1 from public.edge_guard_alerts a
      where a.resolved_at is null and a.check_id = f.check_id and a.subject = f.subject)
    returning id)
  select coalesce(array_agg(id), '{}') into opened from ins;

  with res as (
    update public.edge_guard_alerts a set resolved_at = greatest(p_now, a.opened_at)
    where a.resolved_at is null and not exists (
      select 1 from jsonb_to_recordset(found) f(check_id text, subject text)
      where f.check_id = a.check_id and f.subject = a.subject)
    returning a.id)
  select coalesce(array_agg(id), '{}') into resolved from res;

  notified := edge_guard.notify(opened, 'opened', s.webhook_timeout_ms)
    + edge_guard.notify(resolved, 'resolved', s.webhook_timeout_ms);

  update public.sync_runs r
  set status = 'failed', finished_at = p_now,
    error_summary = 'reaped by edge-guard-watchdog: still running after ' || s.run_max_lifetime::text ||
      ', longer than an edge function can live'
  where r.status = 'running' and r.started_at < p_now - s.run_max_lifetime;
  get diagnostics reaped = row_count;

  return jsonb_build_object('captured', captured, 'findings', jsonb_array_length(found),
    'opened', cardinality(opened), 'resolved', cardinality(resolved),
    'notified', notified, 'reaped', reaped);
end
$$;
revoke all on function public.edge_guard_watchdog(timestamptz) from public, anon, authenticated;
grant execute on function public.edge_guard_watchdog(timestamptz) to service_role;

-- The `edge-guard-prune` job (schedule from the settings) is defined once,
-- with every other job, by public.edge_guard_schedule_jobs()
-- (..._cron_jobs_defined_once.sql); re-running this file changes no job.
do $$
begin
  if to_regprocedure('public.edge_guard_schedule_jobs()') is not null then
    perform public.edge_guard_schedule_jobs();
  end if;
end
$$;
