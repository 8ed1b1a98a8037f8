-- The watchdog and the outbound policy (docs/watchdog.md): every organization
-- whose stored Odoo base_url or enabled bot webhook_url the policy refuses is
-- reported (outbound_destination_refused, one alert per organization, naming
-- the setting, never the URL), and the alert webhook (Vault alert_webhook_url)
-- is never sent to a refused URL. Safe to run more than once, on a real
-- Supabase project (as the non-superuser postgres) and on the local stack.

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
    union all select x.* from s, edge_guard.check_bots(s.failing_runs) x
    union all select x.* from s, edge_guard.check_outbound(s.outbound_allow_private) x
    union all select x.* from s, edge_guard.check_alert_webhook(s.outbound_allow_private) x)
  select distinct on (f.check_id, f.subject) f.check_id, edge_guard.redact(f.subject),
    f.severity, edge_guard.redact(f.detail)
  from f order by f.check_id, f.subject
$$;
reset check_function_bodies;
revoke all on function public.edge_guard_findings(timestamptz) from public, anon, authenticated;
grant execute on function public.edge_guard_findings(timestamptz) to service_role;
