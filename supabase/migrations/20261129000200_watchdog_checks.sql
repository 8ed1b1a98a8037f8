-- The watchdog's checks, as SQL: the one source of truth that both the
-- `edge-guard-watchdog` cron job and `./dev doctor` read (docs/watchdog.md).
-- Safe to run more than once, on a real Supabase project (as the non-superuser
-- postgres) and on the local stack.
--
-- public.edge_guard_findings(now) returns what is wrong right now, one row per
-- (check_id, subject); it only reads, so the doctor can call it in a read-only
-- transaction. Nothing it returns holds a key, token, credentialed URL, secret
-- value or piece of a cron command: details are built from fixed text, names,
-- counts and times, and pass through edge_guard.redact() besides.

-- Blanks anything that looks like a key: a JWT, an sb_ key, a URL password.
create or replace function edge_guard.redact(t text)
returns text
language sql immutable
set search_path = ''
as $$
  select pg_catalog.regexp_replace(pg_catalog.regexp_replace(pg_catalog.regexp_replace(t,
    'eyJ[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){0,2}', 'eyJ…', 'g'),
    'sb_(secret|publishable)_[A-Za-z0-9_-]+', 'sb_\1_…', 'g'),
    '(\w+://[^:/@\s]*:)[^@\s]*@', '\1…@', 'g')
$$;

-- "1 response", "2 responses".
create or replace function edge_guard.plural(n bigint, word text)
returns text
language sql immutable
set search_path = ''
as $$
  select n::text || ' ' || word || case when n = 1 then '' else 's' end
$$;

-- What kind of key a value is, never the value: 'service' (service_role JWT or
-- sb_secret_), 'public' (anon JWT or sb_publishable_), 'jwt:<role>', 'expired',
-- 'unknown'.
create or replace function edge_guard.key_kind(v text, p_now timestamptz)
returns text
language plpgsql immutable
set search_path = ''
as $$
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
$$;

-- Every call our cron jobs made since p_since that got an answer: the durable
-- copy plus responses the watchdog has not copied yet (so the read-only doctor
-- is current).
create or replace function edge_guard.calls(p_since timestamptz)
returns table (request_id bigint, job_name text, function_name text, requested_at timestamptz,
  status_code integer, timed_out boolean, failed_to_send boolean, responded_at timestamptz)
language sql stable
set search_path = ''
as $$
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

-- A cron command that holds a literal key or URL (one alert per job).
create or replace function edge_guard.check_cron_commands()
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
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

-- Jobs with one of our names that the migration cannot replace (another owner).
create or replace function edge_guard.check_cron_owners()
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
  select 'cron_job_foreign_owner', j.jobname || ' (' || j.username || ')', 'warn',
    'a job named like one of ours is owned by role ' || j.username ||
    ': the cron migration cannot change it, and a job of the same name owned by ' ||
    current_user || ' runs too'
  from cron.job j
  where j.username <> current_user
    and j.jobname in ('odoo-crm-sync-incremental', 'odoo-chatter-sync-incremental',
      'bot-scheduler', 'check-sla-breaches', 'edge-guard-housekeeping', 'edge-guard-watchdog')
$$;

-- project_url and service_role_key missing, empty or unusable; alert_webhook_url unusable.
create or replace function edge_guard.check_vault(p_now timestamptz)
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
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

revoke all on all functions in schema edge_guard from public, anon, authenticated, service_role;
