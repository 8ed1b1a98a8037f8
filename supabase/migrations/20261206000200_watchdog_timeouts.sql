-- The watchdog's call check (first in ..._watchdog_run_checks.sql), redefined:
-- a call that pg_net timed out is reported whether or not its dispatched run
-- finished later, and the detail says which. Before, the 5xx exemption
-- (`not (status_code >= 500 and <run finished>)`) was NULL for a timeout
-- (status_code NULL) once its run finished, so the call was dropped: the
-- function had outlived pg_net's request_timeout_ms (on hosted a function may
-- run 150 s, pg_net's timeout defaults to 120 s) and nobody heard of it.
-- Safe to run more than once, on a real Supabase project and on the local stack.

create or replace function edge_guard.check_calls()
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
  -- run_finished: whether the call's dispatched run (pg_net ids can restart,
  -- hence the time window) was finished by its function; null without one.
  with c as (
    select c.*, (select bool_or(s.status in ('succeeded', 'partial', 'failed')
        and coalesce(s.error_summary, '') not in ('run_lost', 'dispatch_failed'))
      from public.sync_runs s
      where s.request_id = c.request_id
        and s.dispatched_at between c.requested_at - interval '1 minute'
          and c.requested_at + interval '1 minute') as run_finished
    from edge_guard.calls(now() - interval '1 day') c),
  -- A 5xx the function answered after finishing its run: the organization's own
  -- outcome. A timeout (status_code null) is never exempt.
  job_calls as (
    select c.* from c
    where not (coalesce(c.status_code >= 500, false) and coalesce(c.run_finished, false))),
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
      count(*) filter (where c.timed_out and c.run_finished) as timeouts_finished,
      count(*) filter (where c.timed_out and not c.run_finished) as timeouts_unfinished,
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
      case when b.timeouts > 0 then edge_guard.plural(b.timeouts, 'timeout') ||
        case when b.timeouts_finished + b.timeouts_unfinished > 0 then ' (' || concat_ws(', ',
          case when b.timeouts_finished > 0 then
            case when b.timeouts = 1 then 'its run' else b.timeouts_finished || ' of their runs' end ||
            ' finished after pg_net gave up' end,
          case when b.timeouts_unfinished > 0 then
            case when b.timeouts = 1 then 'its run has' else b.timeouts_unfinished || ' of their runs have' end ||
            ' not finished' end) || ')' else '' end end,
      case when b.unsent > 0 then edge_guard.plural(b.unsent, 'call') || ' that got no answer' end,
      case when b.s4xx > 0 then edge_guard.plural(b.s4xx, 'answer') || ' with another 4xx status' end) ||
    ' in its latest run (' || b.at::text || ') to /functions/v1/' || b.fn ||
    ' (' || edge_guard.plural(b.calls, 'response') || ')'
  from batch b where b.auth = 0 and b.s5xx + b.timeouts + b.unsent + b.s4xx > 0
$$;

-- What the watchdog's copy of pg_net's timestamp means (src/worker.c and
-- sql/pg_net.sql: `created` defaults to now() in the worker's batch
-- transaction, which starts before the HTTP call; pg_net records no answer time).
comment on column public.edge_guard_call_outcomes.responded_at is
  'net._http_response.created: when pg_net''s worker began the batch that sent the call (before '
  'the HTTP request), not when the answer came; every call of one batch has the same value.';
