-- public.edge_guard_watchdog() and its pg_cron job `edge-guard-watchdog`
-- (every 5 minutes by default: public.edge_guard_settings.watchdog_schedule).
-- Safe to run more than once, on a real Supabase project (as the non-superuser
-- postgres) and on the local stack. docs/watchdog.md explains each step.

-- The webhook payload: Slack-compatible `text` plus structured fields. Built
-- only from the alert row, whose subject and detail never hold a value.
create or replace function edge_guard.notification(a public.edge_guard_alerts, p_event text)
returns jsonb
language sql stable
set search_path = ''
as $$
  select jsonb_build_object(
    'text', case when p_event = 'opened'
        then '[edge-guard] ' || upper(a.severity) || ' ' || a.check_id || ' on ' || a.subject || ': ' || a.detail
        else '[edge-guard] resolved ' || a.check_id || ' on ' || a.subject || ' (open since ' ||
          a.opened_at::text || ')' end,
    'event', p_event,
    'alert_id', a.id,
    'check_id', a.check_id,
    'subject', a.subject,
    'severity', a.severity,
    'detail', a.detail,
    'opened_at', a.opened_at,
    'last_seen_at', a.last_seen_at,
    'resolved_at', a.resolved_at,
    'database', current_database())
$$;
revoke all on function edge_guard.notification(public.edge_guard_alerts, text)
  from public, anon, authenticated, service_role;

-- Copies every answered cron call into the durable table; returns how many.
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
  where not exists (select 1 from public.edge_guard_call_outcomes x
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

-- Queues one webhook notification per alert in `ids`; returns how many were queued.
create or replace function edge_guard.notify(ids bigint[], p_event text, p_timeout_ms integer)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  url text := (select btrim(s.decrypted_secret) from vault.decrypted_secrets s
    where s.name = 'alert_webhook_url' limit 1);
  a public.edge_guard_alerts;
  rid bigint;
  n integer := 0;
begin
  if url is null or url !~* '^https?://[^/\s]+' then
    return 0;
  end if;
  for a in select * from public.edge_guard_alerts where id = any(ids) order by id loop
    rid := net.http_post(url := url, body := edge_guard.notification(a, p_event),
      headers := '{"Content-Type": "application/json"}'::jsonb,
      timeout_milliseconds := p_timeout_ms);
    if p_event = 'opened' then
      update public.edge_guard_alerts set opened_notification_id = rid where id = a.id;
    else
      update public.edge_guard_alerts set resolved_notification_id = rid where id = a.id;
    end if;
    n := n + 1;
  end loop;
  return n;
end
$$;
revoke all on function edge_guard.notify(bigint[], text, integer)
  from public, anon, authenticated, service_role;

/**
 * One watchdog pass: copy call outcomes, evaluate the checks, open / refresh /
 * resolve alerts, notify the webhook of each opening and resolution, reap dead
 * sync runs, drop old outcomes and resolved alerts. Returns a summary.
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

  delete from public.edge_guard_call_outcomes where requested_at < p_now - s.outcome_retention;
  delete from public.edge_guard_alerts where resolved_at < p_now - s.alert_retention;

  return jsonb_build_object('captured', captured, 'findings', jsonb_array_length(found),
    'opened', cardinality(opened), 'resolved', cardinality(resolved),
    'notified', notified, 'reaped', reaped);
end
$$;
revoke all on function public.edge_guard_watchdog(timestamptz) from public, anon, authenticated;
grant execute on function public.edge_guard_watchdog(timestamptz) to service_role;

-- The `edge-guard-watchdog` job is defined once, with every other job, by
-- public.edge_guard_schedule_jobs() (..._cron_jobs_defined_once.sql), so
-- re-running this file changes no job.
do $$
begin
  if to_regprocedure('public.edge_guard_schedule_jobs()') is not null then
    perform public.edge_guard_schedule_jobs();
  end if;
end
$$;
