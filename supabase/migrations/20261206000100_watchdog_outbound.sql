-- The outbound policy in SQL (docs/operations.md, "Outbound calls"), and who an
-- alert concerns. Safe to run more than once, on a real Supabase project (as the
-- non-superuser postgres) and on the local stack.
--
-- 1. edge_guard.outbound_refusal(url, allow_private): the part of the functions'
--    destination policy (supabase/functions/_shared/outbound.ts) that needs no
--    DNS: the scheme, internal host names, and IP literals in every spelling a
--    URL parser (WHATWG, curl) normalises (0xa9fea9fe, 2852039166,
--    0251.0376.0251.0376, [::ffff:169.254.169.254], ...). The same verdicts as
--    the functions, checked by supabase/functions/_shared/outbound_sql_test.ts.
-- 2. The watchdog reports every organization whose stored Odoo base_url or an
--    enabled bot's webhook_url the policy refuses (outbound_destination_refused,
--    one alert per organization, naming the setting, never the URL), and the
--    alert webhook (Vault alert_webhook_url) is not sent to a refused URL.
-- 3. Each alert carries the organization it concerns (org_id) or says it is
--    project-wide (a cron job, a Vault secret); integration-status shows an
--    organization only its own alerts and the project-wide ones.

-- The development allowance, as OUTBOUND_ALLOW_PRIVATE is for the functions:
-- plain http, loopback and private addresses. Off by default; on in the local stack.
alter table public.edge_guard_settings
  add column if not exists outbound_allow_private boolean not null default false;

alter table public.edge_guard_alerts add column if not exists org_id uuid;
alter table public.edge_guard_alerts
  add column if not exists project_wide boolean not null default false;
create index if not exists edge_guard_alerts_org_open_idx
  on public.edge_guard_alerts (org_id) where resolved_at is null;
comment on column public.edge_guard_alerts.org_id is
  'The one organization the alert concerns (its org, run or bot); null when it concerns no single organization.';
comment on column public.edge_guard_alerts.project_wide is
  'True when the alert stops every organization''s jobs (a cron job, a Vault secret): every organization sees it.';

-- An integer in C's inet_aton notation: 0x hex, leading-0 octal, or decimal; null otherwise.
create or replace function edge_guard.inet_aton_part(p text)
returns numeric
language plpgsql immutable
set search_path = ''
as $$
declare
  radix integer := 10;
  digits text := p;
  n numeric := 0;
  c text;
begin
  if p ~* '^0x[0-9a-f]*$' then radix := 16; digits := substr(p, 3);
  elsif p ~ '^0[0-7]+$' then radix := 8; digits := substr(p, 2);
  elsif p !~ '^[0-9]+$' then return null;
  end if;
  if length(digits) > 40 then return null; end if;
  foreach c in array regexp_split_to_array(lower(digits), '') loop
    n := n * radix + strpos('0123456789abcdef', c) - 1;
  end loop;
  return n;
end
$$;

-- The IPv4 address a host names in any inet_aton spelling (1 to 4 parts, the
-- last filling the remaining bytes); null when it is not one.
create or replace function edge_guard.ipv4_of(p_host text)
returns inet
language plpgsql immutable
set search_path = ''
as $$
declare
  parts text[] := string_to_array(p_host, '.');
  cnt integer := cardinality(parts);
  n numeric := 0;
  v numeric;
begin
  if cnt < 1 or cnt > 4 then return null; end if;
  for i in 1..cnt loop
    v := edge_guard.inet_aton_part(parts[i]);
    if v is null or (i < cnt and v > 255) or (i = cnt and v >= 256 ^ (5 - cnt)) then
      return null;
    end if;
    n := case when i < cnt then n * 256 + v else n * 256 ^ (5 - cnt) + v end;
  end loop;
  return (div(n, 16777216) || '.' || mod(div(n, 65536), 256) || '.' || mod(div(n, 256), 256) ||
    '.' || mod(n, 256))::inet;
end
$$;

-- The class of an address, as address.ts names it (the most specific range wins).
create or replace function edge_guard.address_class(a inet)
returns text
language sql immutable
set search_path = ''
as $$
  select coalesce((select r.cls from (values
    ('0.0.0.0/8', 'unspecified'), ('10.0.0.0/8', 'private'), ('100.100.100.200/32', 'metadata'),
    ('100.64.0.0/10', 'cgnat'), ('127.0.0.0/8', 'loopback'), ('169.254.169.254/32', 'metadata'),
    ('169.254.170.2/32', 'metadata'), ('169.254.0.0/16', 'link_local'), ('172.16.0.0/12', 'private'),
    ('192.0.0.0/24', 'reserved'), ('192.0.2.0/24', 'documentation'), ('192.88.99.0/24', 'reserved'),
    ('192.168.0.0/16', 'private'), ('198.18.0.0/15', 'benchmarking'),
    ('198.51.100.0/24', 'documentation'), ('203.0.113.0/24', 'documentation'),
    ('224.0.0.0/4', 'multicast'), ('240.0.0.0/4', 'reserved'),
    ('::/128', 'unspecified'), ('::1/128', 'loopback'), ('::ffff:0:0/96', 'ipv4_mapped'),
    ('::/96', 'ipv4_compatible'), ('64:ff9b::/96', 'translated'), ('64:ff9b:1::/48', 'translated'),
    ('100::/64', 'reserved'), ('2001:db8::/32', 'documentation'), ('2001:2::/48', 'benchmarking'),
    ('2001::/23', 'reserved'), ('2002::/16', 'translated'), ('3fff::/20', 'documentation'),
    ('fd00:ec2::254/128', 'metadata'), ('fc00::/7', 'unique_local'), ('fe80::/10', 'link_local'),
    ('fec0::/10', 'reserved'), ('ff00::/8', 'multicast'), ('2000::/3', 'public'), ('::/0', 'reserved')
  ) r(net, cls)
  where family(r.net::inet) = family(a) and a <<= r.net::inet
  order by masklen(r.net::inet) desc limit 1), 'public')
$$;

-- Why the policy refuses `url` without resolving it ('scheme', 'bad_url', 'name',
-- 'address:<class>'), or null: allowed, or a DNS name the functions check at
-- every call. Never returns any part of the URL.
create or replace function edge_guard.outbound_refusal(url text, allow_private boolean)
returns text
language plpgsql immutable
set search_path = ''
as $$
declare
  scheme text := lower(substring(url from '^([A-Za-z][A-Za-z0-9+.-]*):'));
  host text := substring(url from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#]*)');
  addr inet;
  cls text;
begin
  if scheme is null then return 'bad_url'; end if;
  if scheme <> 'https' and not (allow_private and scheme = 'http') then return 'scheme'; end if;
  if host is null or host = '' then return 'bad_url'; end if;
  if host like '[%' then
    begin
      addr := substring(host from '^\[([0-9A-Fa-f:.]+)\]')::inet;
    exception when others then
      return 'bad_url';
    end;
    if addr is null then return 'bad_url'; end if;
  else
    host := regexp_replace(regexp_replace(lower(host), ':[0-9]*$', ''), '\.$', '');
    if split_part(host, '.', -1) ~ '^(0x[0-9a-f]*|[0-9]+)$' then
      addr := edge_guard.ipv4_of(host);
      if addr is null then return 'bad_url'; end if;
    elsif host ~ '(^|\.)(internal|metadata|metadata\.goog|instance-data)$' then
      return 'name';
    elsif not allow_private and (host ~ '(^|\.)(localhost|local|localdomain|home\.arpa)$'
        or strpos(host, '.') = 0) then
      return 'name';
    else
      return null;
    end if;
  end if;
  cls := edge_guard.address_class(addr);
  if cls = 'public' or (allow_private and cls in ('loopback', 'private', 'unique_local')) then
    return null;
  end if;
  return 'address:' || cls;
end
$$;

-- Organizations whose stored destinations the policy refuses: one finding per
-- organization naming each setting (the credential's base_url, each enabled
-- bot's webhook_url by bot id) and the reason; never the URL.
create or replace function edge_guard.check_outbound(p_allow boolean)
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
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

-- The alert webhook itself (Vault alert_webhook_url) when the policy refuses it.
create or replace function edge_guard.check_alert_webhook(p_allow boolean)
returns table (check_id text, subject text, severity text, detail text)
language sql stable
set search_path = ''
as $$
  select 'vault_secret_unusable', 'alert_webhook_url', 'warn',
    'is refused by the outbound policy (' || r.reason || '): alerts are not sent'
  from vault.decrypted_secrets s
  cross join lateral (select edge_guard.outbound_refusal(btrim(s.decrypted_secret), p_allow) as reason) r
  where s.name = 'alert_webhook_url' and btrim(coalesce(s.decrypted_secret, '')) ~* '^https?://[^/\s]+'
    and r.reason is not null
$$;

-- The organization an alert concerns: its org, its run's org, its bot's org; null for none.
create or replace function edge_guard.alert_org(p_check_id text, p_subject text)
returns uuid
language sql stable
set search_path = ''
as $$
  select case
    when p_subject ~* '^org:[0-9a-f-]{36}$' then substr(p_subject, 5)::uuid
    when p_subject ~ '^sync_run:[0-9]+$' then
      (select r.org_id from public.sync_runs r where r.id = substr(p_subject, 10)::bigint)
    when p_subject ~* '^bot:[0-9a-f-]{36}$' then
      (select b.org_id from public.bots b where b.id = substr(p_subject, 5)::uuid)
  end
$$;

-- Checks whose alerts stop every organization's jobs: the cron jobs and Vault secrets.
create or replace function edge_guard.alert_project_wide(p_check_id text)
returns boolean
language sql immutable
set search_path = ''
as $$
  select p_check_id in ('cron_command_literal', 'cron_job_foreign_owner', 'vault_secret_missing',
    'vault_secret_unusable', 'http_auth_rejected', 'http_call_failed', 'cron_run_failed',
    'schedule_drift')
$$;

-- Fills org_id and project_wide as an alert opens (the watchdog inserts only
-- check_id, subject, severity, detail and times).
create or replace function edge_guard.alert_scope()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.org_id := coalesce(new.org_id, edge_guard.alert_org(new.check_id, new.subject));
  new.project_wide := new.org_id is null and edge_guard.alert_project_wide(new.check_id);
  return new;
end
$$;
drop trigger if exists edge_guard_alerts_scope on public.edge_guard_alerts;
create trigger edge_guard_alerts_scope before insert on public.edge_guard_alerts
  for each row execute function edge_guard.alert_scope();
update public.edge_guard_alerts a
set org_id = edge_guard.alert_org(a.check_id, a.subject),
  project_wide = edge_guard.alert_org(a.check_id, a.subject) is null
    and edge_guard.alert_project_wide(a.check_id)
where a.resolved_at is null and a.org_id is null;

-- edge_guard.notify (..._watchdog.sql), now refusing a URL the policy refuses.
create or replace function edge_guard.notify(ids bigint[], p_event text, p_timeout_ms integer)
returns integer
language plpgsql
set search_path = ''
as $$
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

revoke all on all functions in schema edge_guard from public, anon, authenticated, service_role;

-- public.edge_guard_findings (..._watchdog_run_checks.sql) with the outbound checks.
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
    union all select x.* from s, edge_guard.check_bots(s.failing_runs) x
    union all select x.* from s, edge_guard.check_outbound(s.outbound_allow_private) x
    union all select x.* from s, edge_guard.check_alert_webhook(s.outbound_allow_private) x)
  select distinct on (f.check_id, f.subject) f.check_id, edge_guard.redact(f.subject),
    f.severity, edge_guard.redact(f.detail)
  from f order by f.check_id, f.subject
$$;
revoke all on function public.edge_guard_findings(timestamptz) from public, anon, authenticated;
grant execute on function public.edge_guard_findings(timestamptz) to service_role;
