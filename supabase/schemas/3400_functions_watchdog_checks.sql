-- supabase/schemas/3400_functions_watchdog_checks.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE FUNCTION edge_guard.alert_org(p_check_id text, p_subject text) RETURNS uuid
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $_$
  select case
    when p_subject ~* '^org:[0-9a-f-]{36}$' then substr(p_subject, 5)::uuid
    when p_subject ~ '^sync_run:[0-9]+$' then
      (select r.org_id from public.sync_runs r where r.id = substr(p_subject, 10)::bigint)
    when p_subject ~* '^bot:[0-9a-f-]{36}$' then
      (select b.org_id from public.bots b where b.id = substr(p_subject, 5)::uuid)
  end
$_$;

CREATE FUNCTION edge_guard.alert_project_wide(p_check_id text) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select p_check_id in ('cron_command_literal', 'cron_job_foreign_owner', 'vault_secret_missing',
    'vault_secret_unusable', 'http_auth_rejected', 'http_call_failed', 'cron_run_failed',
    'schedule_drift')
$$;

CREATE FUNCTION edge_guard.calls(p_since timestamp with time zone) RETURNS TABLE(request_id bigint, job_name text, function_name text, requested_at timestamp with time zone, status_code integer, timed_out boolean, failed_to_send boolean, responded_at timestamp with time zone)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select o.request_id, o.job_name, o.function_name, o.requested_at, o.status_code, o.timed_out,
    o.status_code is null and not o.timed_out, o.responded_at
  from public.edge_guard_call_outcomes o
  where o.requested_at > p_since
  union all
  select c.request_id, c.job_name, c.function_name, c.created_at, r.status_code,
    coalesce(r.timed_out, false), r.status_code is null and not coalesce(r.timed_out, false),
    r.created
  from public.cron_http_requests c join net._http_response r on r.id = c.request_id
  where c.created_at > p_since
    and not exists (select 1 from public.edge_guard_call_outcomes o
      where o.request_id = c.request_id and o.requested_at = c.created_at)
$$;

CREATE FUNCTION edge_guard.check_alert_webhook(p_allow boolean) RETURNS TABLE(check_id text, subject text, severity text, detail text)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select 'vault_secret_unusable', 'alert_webhook_url', 'warn',
    'is refused by the outbound policy (' || r.reason || '): alerts are not sent'
  from vault.decrypted_secrets s
  cross join lateral (select edge_guard.outbound_refusal(btrim(s.decrypted_secret), p_allow) as reason) r
  where s.name = 'alert_webhook_url' and btrim(coalesce(s.decrypted_secret, '')) ~* '^https?://[^/\s]+'
    and r.reason is not null
$$;

CREATE FUNCTION edge_guard.plural(n bigint, word text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select n::text || ' ' || word || case when n = 1 then '' else 's' end
$$;

CREATE FUNCTION edge_guard.check_bots(p_runs integer) RETURNS TABLE(check_id text, subject text, severity text, detail text)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION edge_guard.check_calls() RETURNS TABLE(check_id text, subject text, severity text, detail text)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION edge_guard.key_kind(v text, p_now timestamp with time zone) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $_$
declare
  payload text := pg_catalog.split_part(v, '.', 2);
  claims jsonb;
begin
  v := pg_catalog.btrim(v);
  if v like 'sb_secret\_%' then return 'service'; end if;
  if v like 'sb_publishable\_%' then return 'public'; end if;
  if v !~ '^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$' then return 'unknown'; end if;
  payload := pg_catalog.translate(payload, '-_', '+/');
  payload := payload || pg_catalog.repeat('=', (4 - pg_catalog.length(payload) % 4) % 4);
  claims := pg_catalog.convert_from(pg_catalog.decode(payload, 'base64'), 'UTF8')::jsonb;
  if claims ->> 'role' = 'anon' then return 'public'; end if;
  if (claims ->> 'exp') ~ '^\d+$' and (claims ->> 'exp')::bigint < extract(epoch from p_now) then
    return 'expired';
  end if;
  if claims ->> 'role' = 'service_role' then return 'service'; end if;
  return 'jwt:' || coalesce(claims ->> 'role', 'none');
exception when others then
  return 'unknown';
end
$_$;



SET default_tablespace = '';

SET default_table_access_method = heap;

CREATE FUNCTION edge_guard.check_cron_commands() RETURNS TABLE(check_id text, subject text, severity text, detail text)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select 'cron_command_literal', coalesce(j.jobname, 'jobid ' || j.jobid),
    case when k.has_key then 'error' else 'warn' end,
    concat_ws('; ',
      case when k.has_key then 'its command holds a literal key (' || k.kinds || ')' ||
        case when k.kinds like '%public%' then ', not a service key: every call is answered 401'
          else ', readable by anyone who can read cron.job: rotate it' end end,
      case when k.has_url then 'its command holds a literal URL' end,
      case when j.username <> current_user then 'owned by role ' || j.username ||
        ', which postgres cannot unschedule: its owner must (cron.unschedule)' end)
  from cron.job j
  cross join lateral (
    select count(*) > 0 as has_key,
      string_agg(distinct case when m[1] like 'sb_publishable%' or m[1] like 'eyJ%' and
          edge_guard.key_kind(m[1], now()) = 'public' then 'public anon/publishable key'
        when m[1] like 'eyJ%' then 'a JWT' else 'an sb_secret_ key' end, ', ') as kinds,
      j.command ~* '''https?://' as has_url
    from regexp_matches(j.command,
      '(eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*|sb_(?:publishable|secret)_[A-Za-z0-9_-]+)',
      'g') m
  ) k
  where k.has_key or (k.has_url and j.command ~ 'net\.http_')
$$;

CREATE FUNCTION edge_guard.check_cron_owners() RETURNS TABLE(check_id text, subject text, severity text, detail text)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select 'cron_job_foreign_owner', j.jobname || ' (' || j.username || ')', 'warn',
    'a job named like one of ours is owned by role ' || j.username ||
    ': the cron migration cannot change it, and a job of the same name owned by ' ||
    current_user || ' runs too'
  from cron.job j
  where j.username <> current_user and j.jobname = any (edge_guard.cron_job_names())
$$;

CREATE FUNCTION edge_guard.check_cron_runs(p_now timestamp with time zone) RETURNS TABLE(check_id text, subject text, severity text, detail text)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION edge_guard.check_drift(p_now timestamp with time zone, p_tolerance interval) RETURNS TABLE(check_id text, subject text, severity text, detail text)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION edge_guard.check_freshness(p_now timestamp with time zone) RETURNS TABLE(check_id text, subject text, severity text, detail text)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select 'org_sync_stale', 'org:' || s.org_id::text, 'error',
    string_agg(s.job || case when s.last_success_at is null then ' never synced'
      else ' last synced ' || s.last_success_at::text end ||
      ': older than two sync periods (' || (2 * q.period)::text || ')', '; ' order by s.job)
  from public.sync_org_state s
  join public.sync_queue_settings q on q.job = s.job
  where coalesce(s.last_success_at, s.enrolled_at) < p_now - 2 * q.period
  group by s.org_id
$$;

CREATE FUNCTION edge_guard.check_org_failures() RETURNS TABLE(check_id text, subject text, severity text, detail text)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION edge_guard.check_org_stalls(p_runs integer) RETURNS TABLE(check_id text, subject text, severity text, detail text)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION edge_guard.check_outbound(p_allow boolean) RETURNS TABLE(check_id text, subject text, severity text, detail text)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  with bad as (
    select c.org_id, 'integration_credentials.base_url (' || c.integration_type || ')' as setting,
      r.reason
    from public.integration_credentials c
    cross join lateral (select edge_guard.outbound_refusal(c.base_url, p_allow) as reason) r
    where c.base_url is not null and r.reason is not null
    union all
    select b.org_id, 'bots.webhook_url of bot:' || b.id::text, r.reason
    from public.bots b
    cross join lateral (select edge_guard.outbound_refusal(b.webhook_url, p_allow) as reason) r
    where b.enabled and r.reason is not null),
  numbered as (
    select bad.*, row_number() over (partition by bad.org_id order by bad.setting) as n,
      count(*) over (partition by bad.org_id) as total
    from bad)
  select 'outbound_destination_refused', 'org:' || o.org_id::text, 'error',
    string_agg(o.setting || ' (' || o.reason || ')', '; ' order by o.setting) filter (where o.n <= 5) ||
    case when max(o.total) > 5 then '; and ' || (max(o.total) - 5)::text || ' more' else '' end ||
    ': refused by the outbound policy (https to a public host only), so every call fails ' ||
    '(odoo_destination_refused / webhook_destination_refused); set an allowed URL'
  from numbered o group by o.org_id
$$;

CREATE FUNCTION edge_guard.check_stuck_runs(p_now timestamp with time zone, p_lifetime interval) RETURNS TABLE(check_id text, subject text, severity text, detail text)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select 'sync_run_stuck', 'sync_run:' || r.id, 'error',
    r.integration || ' ' || r.job || ' run for ' || r.scheduled_for::text || ' has been running since ' ||
    r.started_at::text || ', longer than an edge function can live (' || p_lifetime::text ||
    '): the watchdog marks it failed'
  from public.sync_runs r
  where r.status = 'running' and r.started_at < p_now - p_lifetime
$$;

CREATE FUNCTION edge_guard.check_vault(p_now timestamp with time zone) RETURNS TABLE(check_id text, subject text, severity text, detail text)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  with needed(name, effect) as (values
    ('project_url', 'every cron job that calls an edge function fails (null URL)'),
    ('service_role_key', 'cron calls go out without a key and are answered 401')),
  v as (select s.name, btrim(coalesce(s.decrypted_secret, '')) as value
    from vault.decrypted_secrets s
    where s.name in ('project_url', 'service_role_key', 'alert_webhook_url'))
  select 'vault_secret_missing', n.name, 'error', 'is not in Vault: ' || n.effect
  from needed n where not exists (select 1 from v where v.name = n.name)
  union all
  select 'vault_secret_unusable', v.name, 'error', 'is empty in Vault' from v
  where v.value = '' and v.name <> 'alert_webhook_url'
  union all
  select 'vault_secret_unusable', v.name, case when v.name = 'project_url' then 'error' else 'warn' end,
    'is not an http(s) URL' || case when v.name = 'project_url' then ': every cron call fails'
      else ': alerts cannot be sent' end
  from v where v.name in ('project_url', 'alert_webhook_url') and v.value <> ''
    and v.value !~* '^https?://[^/\s]+'
  union all
  select 'vault_secret_unusable', v.name, 'error',
    case k.kind when 'public' then 'holds a public anon/publishable key, not a service key'
      when 'expired' then 'holds an expired JWT'
      when 'unknown' then 'holds neither a JWT nor an sb_secret_ key'
      else 'holds a JWT whose role is not service_role' end ||
    ': every cron call is answered 401'
  from v cross join lateral (select edge_guard.key_kind(v.value, p_now) as kind) k
  where v.name = 'service_role_key' and v.value <> '' and k.kind <> 'service'
$$;

CREATE FUNCTION edge_guard.redact(t text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select pg_catalog.regexp_replace(pg_catalog.regexp_replace(pg_catalog.regexp_replace(t,
    'eyJ[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){0,2}', 'eyJ…', 'g'),
    'sb_(secret|publishable)_[A-Za-z0-9_-]+', 'sb_\1_…', 'g'),
    '(\w+://[^:/@\s]*:)[^@\s]*@', '\1…@', 'g')
$$;

CREATE FUNCTION public.edge_guard_findings(p_now timestamp with time zone DEFAULT now()) RETURNS TABLE(check_id text, subject text, severity text, detail text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  with s as (select * from public.edge_guard_settings limit 1),
  f as (
    select * from edge_guard.check_cron_commands()
    union all select * from edge_guard.check_cron_owners()
    union all select * from edge_guard.check_vault(p_now)
    union all select * from edge_guard.check_calls()
    union all select * from edge_guard.check_cron_runs(p_now)
    union all select * from edge_guard.check_freshness(p_now)
    union all select * from edge_guard.check_org_failures()
    union all select x.* from s, edge_guard.check_org_stalls(s.stalled_runs) x
    union all select x.* from s, edge_guard.check_stuck_runs(p_now, s.run_max_lifetime) x
    union all select x.* from s, edge_guard.check_drift(p_now, s.drift_tolerance) x
    union all select x.* from s, edge_guard.check_bots(s.failing_runs) x
    union all select x.* from s, edge_guard.check_outbound(s.outbound_allow_private) x
    union all select x.* from s, edge_guard.check_alert_webhook(s.outbound_allow_private) x)
  select distinct on (f.check_id, f.subject) f.check_id, edge_guard.redact(f.subject),
    f.severity, edge_guard.redact(f.detail)
  from f order by f.check_id, f.subject
$$;

REVOKE ALL ON FUNCTION edge_guard.alert_org(p_check_id text, p_subject text) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.alert_project_wide(p_check_id text) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.calls(p_since timestamp with time zone) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.check_alert_webhook(p_allow boolean) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.check_bots(p_runs integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.check_calls() FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.check_cron_commands() FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.check_cron_owners() FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.check_cron_runs(p_now timestamp with time zone) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.check_drift(p_now timestamp with time zone, p_tolerance interval) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.check_freshness(p_now timestamp with time zone) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.check_org_failures() FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.check_org_stalls(p_runs integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.check_outbound(p_allow boolean) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.check_stuck_runs(p_now timestamp with time zone, p_lifetime interval) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.check_vault(p_now timestamp with time zone) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.key_kind(v text, p_now timestamp with time zone) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.plural(n bigint, word text) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.redact(t text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.edge_guard_findings(p_now timestamp with time zone) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.edge_guard_findings(p_now timestamp with time zone) TO service_role;
