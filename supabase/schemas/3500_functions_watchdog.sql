-- supabase/schemas/3500_functions_watchdog.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE FUNCTION edge_guard.capture_outcomes() RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION edge_guard.notification(a public.edge_guard_alerts, p_event text) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION edge_guard.notify(ids bigint[], p_event text, p_timeout_ms integer) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  url text := (select btrim(s.decrypted_secret) from vault.decrypted_secrets s
    where s.name = 'alert_webhook_url' limit 1);
  allow boolean := coalesce((select s.outbound_allow_private
    from public.edge_guard_settings s limit 1), false);
  a public.edge_guard_alerts;
  rid bigint;
  n integer := 0;
begin
  -- pg_net (curl) follows no redirect unless asked; the answer is never read.
  if url is null or url !~* '^https?://[^/\s]+' or edge_guard.outbound_refusal(url, allow) is not null then
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

CREATE FUNCTION public.edge_guard_watchdog(p_now timestamp with time zone DEFAULT now()) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

REVOKE ALL ON FUNCTION edge_guard.capture_outcomes() FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.notification(a public.edge_guard_alerts, p_event text) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.notify(ids bigint[], p_event text, p_timeout_ms integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.edge_guard_watchdog(p_now timestamp with time zone) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.edge_guard_watchdog(p_now timestamp with time zone) TO service_role;
