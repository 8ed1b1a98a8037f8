-- Who an alert concerns (docs/watchdog.md, "Alerts"): the organization of its
-- org, run or bot (org_id), or the whole project (project_wide: a cron job or a
-- Vault secret). integration-status shows an organization only its own alerts
-- and the project-wide ones. Safe to run more than once, on a real Supabase
-- project (as the non-superuser postgres) and on the local stack.

alter table public.edge_guard_alerts add column if not exists org_id uuid;
alter table public.edge_guard_alerts
  add column if not exists project_wide boolean not null default false;
create index if not exists edge_guard_alerts_org_open_idx
  on public.edge_guard_alerts (org_id) where resolved_at is null;
comment on column public.edge_guard_alerts.org_id is
  'The one organization the alert concerns (its org, run or bot); null when it concerns no single organization.';
comment on column public.edge_guard_alerts.project_wide is
  'True when the alert stops every organization''s jobs (a cron job, a Vault secret): every organization sees it.';

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

revoke all on all functions in schema edge_guard from public, anon, authenticated, service_role;
