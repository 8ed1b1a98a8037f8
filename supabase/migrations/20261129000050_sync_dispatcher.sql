-- The Odoo sync fan-out (issue 14, docs/fanout.md): the cron jobs call a SQL
-- dispatcher every minute; each tick sends one pg_net request per due
-- organization (at most `max_in_flight` in flight per job) to the sync
-- function, which syncs that one organization and may call the dispatcher
-- again to keep the bound full.
-- Safe to run more than once, on a real Supabase project (postgres is not a
-- superuser there: everything below is owned by postgres, the role that runs
-- the migrations and the cron jobs) and on the local stack.

-- A dispatched run is `queued` until its function claims it (`running`).
alter table public.sync_runs add column if not exists org_id uuid
  references public.organizations (id) on delete cascade;
alter table public.sync_runs add column if not exists dispatched_at timestamptz;
alter table public.sync_runs add column if not exists request_id bigint;
alter table public.sync_runs drop constraint if exists sync_runs_status_check;
alter table public.sync_runs add constraint sync_runs_status_check
  check (status in ('queued', 'running', 'succeeded', 'failed', 'partial'));
comment on column public.sync_runs.org_id is
  'The one organization of a per-org run (dispatched, by hand with org_id, or sync-now); null for a run over every organization.';
comment on column public.sync_runs.request_id is
  'pg_net request id of a dispatched run (net._http_response.id, public.cron_http_requests.request_id).';
create index if not exists sync_runs_in_progress_idx
  on public.sync_runs (job, org_id) where status in ('queued', 'running');
create index if not exists sync_runs_org_period_idx
  on public.sync_runs (org_id, job, scheduled_for) where org_id is not null;
-- The watchdog finds the run behind a call's answer by its request id.
create index if not exists sync_runs_request_idx
  on public.sync_runs (request_id) where request_id is not null;

-- One row per job; change with UPDATE (docs/fanout.md, "Settings").
create table if not exists public.sync_dispatch_settings (
  job text primary key constraint sync_dispatch_settings_job_check check (job in ('crm', 'chatter')),
  max_in_flight integer not null default 20
    constraint sync_dispatch_settings_bound_check check (max_in_flight between 0 and 1000),
  request_timeout_ms integer not null default 120000
    constraint sync_dispatch_settings_timeout_check check (request_timeout_ms between 1000 and 300000),
  run_timeout interval not null default interval '10 minutes',
  backoff interval[] not null
    default array[interval '15 minutes', interval '1 hour', interval '4 hours']
    constraint sync_dispatch_settings_backoff_check check (cardinality(backoff) > 0),
  updated_at timestamptz not null default now()
);
insert into public.sync_dispatch_settings (job) values ('crm'), ('chatter')
on conflict (job) do nothing;

-- Where each organization stands, per job: what the dispatcher reads and what
-- an operator watches (a failing organization stays visible here).
create table if not exists public.sync_org_state (
  org_id uuid not null references public.organizations (id) on delete cascade,
  job text not null,
  last_success_at timestamptz,
  last_finished_at timestamptz,
  last_status text,
  last_error text,
  consecutive_failures integer not null default 0,
  next_attempt_at timestamptz,
  last_run_id bigint,
  primary key (org_id, job)
);

alter table public.sync_dispatch_settings enable row level security;
alter table public.sync_org_state enable row level security;
revoke all on table public.sync_dispatch_settings, public.sync_org_state
  from public, anon, authenticated, service_role;
grant select on table public.sync_dispatch_settings, public.sync_org_state to service_role;

-- A finished per-org run updates its organization's state. Odoo and credential
-- failures back off (settings.backoff[n] after n consecutive failures, capped
-- at the last step); a run lost by the platform (never delivered, or reaped)
-- is due again at the next tick.
create or replace function public.sync_runs_track_org()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_error text := left(coalesce(new.org_results -> new.org_id::text ->> 'error',
    new.error_summary), 200);
  v_steps interval[];
  v_failed boolean := new.status = 'failed';
  v_lost boolean := v_error in ('run_lost', 'dispatch_failed');
begin
  select s.backoff into v_steps from public.sync_dispatch_settings s where s.job = new.job;
  v_steps := coalesce(v_steps, array[interval '15 minutes']);
  insert into public.sync_org_state as o (org_id, job, last_success_at, last_finished_at,
    last_status, last_error, consecutive_failures, next_attempt_at, last_run_id)
  values (new.org_id, new.job, case when new.status = 'succeeded' then new.finished_at end,
    new.finished_at, new.status, case when v_failed then v_error end,
    case when v_failed then 1 else 0 end,
    case when v_failed and not v_lost then new.finished_at + v_steps[1] end, new.id)
  on conflict (org_id, job) do update set
    last_success_at = coalesce(excluded.last_success_at, o.last_success_at),
    last_finished_at = excluded.last_finished_at,
    last_status = excluded.last_status,
    last_error = excluded.last_error,
    consecutive_failures = case when v_failed then o.consecutive_failures + 1 else 0 end,
    next_attempt_at = case when v_failed and not v_lost then excluded.last_finished_at
      + v_steps[least(o.consecutive_failures + 1, cardinality(v_steps))] end,
    last_run_id = excluded.last_run_id;
  return null;
end
$$;
-- Supabase grants execute on new functions to the API roles by default: take it back.
revoke all on function public.sync_runs_track_org() from public, anon, authenticated, service_role;

drop trigger if exists sync_runs_track_org on public.sync_runs;
create trigger sync_runs_track_org
  after update of status on public.sync_runs
  for each row
  when (new.org_id is not null and old.status in ('queued', 'running')
    and new.status in ('succeeded', 'partial', 'failed'))
  execute function public.sync_runs_track_org();

-- Marks lost runs failed so their organizations are due again: a queued run
-- whose request pg_net answered without the function claiming it (401, 5xx,
-- timeout before the function started), and any run older than run_timeout
-- (its function was killed). Returns how many.
create or replace function public.sync_reap_runs(p_job text, p_now timestamptz default now())
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_timeout interval;
  n integer;
begin
  select s.run_timeout into v_timeout from public.sync_dispatch_settings s where s.job = p_job;
  update public.sync_runs r
  set status = 'failed', finished_at = p_now,
    error_summary = case when r.status = 'queued' and exists (
      select 1 from net._http_response h where h.id = r.request_id)
      then 'dispatch_failed' else 'run_lost' end
  where r.job = p_job and r.org_id is not null and r.status in ('queued', 'running')
    and ((r.status = 'queued' and exists (
          select 1 from net._http_response h where h.id = r.request_id))
      or r.started_at < p_now - coalesce(v_timeout, interval '10 minutes'));
  get diagnostics n = row_count;
  return n;
end
$$;

-- Runs of p_job that count against max_in_flight: queued or running, and no
-- response recorded by pg_net for their request (any status, a timeout
-- included) - whichever of "function finished" and "pg_net answered" comes first.
create or replace function public.sync_in_flight(p_job text)
returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select count(*)::integer from public.sync_runs r
  where r.job = p_job and r.org_id is not null and r.status in ('queued', 'running')
    and (r.request_id is null
      or not exists (select 1 from net._http_response h where h.id = r.request_id))
$$;

-- Organizations of p_job that are due at p_now, least recently finished first
-- (so organizations not sent last tick go first): an odoo credential, no run
-- queued or running, no complete success in this 15-minute period, and no
-- backoff pending.
create or replace function public.sync_due_orgs(p_job text, p_now timestamptz, p_limit integer)
returns table (org_id uuid)
language sql
stable
security definer
set search_path = ''
as $$
  select c.org_id
  from public.integration_credentials c
  left join public.sync_org_state s on s.org_id = c.org_id and s.job = p_job
  where c.integration_type = 'odoo'
    and (s.last_success_at is null
      or s.last_success_at < date_bin(interval '15 minutes', p_now, timestamptz '2000-01-01Z'))
    and (s.next_attempt_at is null or s.next_attempt_at <= p_now)
    and not exists (select 1 from public.sync_runs r
      where r.org_id = c.org_id and r.job = p_job and r.status in ('queued', 'running'))
  order by s.last_finished_at asc nulls first, c.org_id
  limit greatest(p_limit, 0)
$$;

-- One tick for p_job (`crm` or `chatter`): reaps lost runs, then queues one
-- pg_net request per due organization while fewer than max_in_flight are in
-- flight. Each request carries {"org_id", "mode", "scheduled_for"}, the
-- project URL and service_role key read from Vault as the cron jobs read them
-- (no literal), and is recorded in public.cron_http_requests under the cron
-- job's name. Idempotency key per (org, job, 15-minute period); a
-- continuation in the same period gets ':2', ':3'... Returns how many were sent.
-- Ticks of one job are serialized by a transaction-level advisory lock.
create or replace function public.dispatch_odoo_sync(
  p_job text,
  p_now timestamptz default now(),
  p_limit integer default null
)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_fn text := case p_job when 'crm' then 'odoo-crm-sync' when 'chatter' then 'odoo-chatter-sync' end;
  v_cfg public.sync_dispatch_settings;
  v_period timestamptz := date_bin(interval '15 minutes', p_now, timestamptz '2000-01-01Z');
  v_at timestamptz := date_trunc('milliseconds', p_now);
  v_base text;
  v_prior integer;
  v_run bigint;
  v_req bigint;
  v_org uuid;
  n integer := 0;
begin
  if v_fn is null then
    raise exception 'unknown sync job %', p_job using errcode = '22023';
  end if;
  perform pg_advisory_xact_lock(hashtext('public.dispatch_odoo_sync'), hashtext(p_job));
  perform public.sync_reap_runs(p_job, p_now);
  select * into strict v_cfg from public.sync_dispatch_settings s where s.job = p_job;
  for v_org in select d.org_id from public.sync_due_orgs(p_job, p_now, least(
      v_cfg.max_in_flight - public.sync_in_flight(p_job), coalesce(p_limit, 1000))) d
  loop
    v_base := format('odoo:%s:org:%s:%s', p_job, v_org,
      to_char(v_period at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"'));
    select count(*) into v_prior from public.sync_runs r
    where r.org_id = v_org and r.job = p_job
      and r.scheduled_for >= v_period and r.scheduled_for < v_period + interval '15 minutes';
    insert into public.sync_runs (idempotency_key, integration, job, scheduled_for,
      started_at, status, org_id, dispatched_at)
    values (case when v_prior = 0 then v_base else v_base || ':' || (v_prior + 1) end,
      'odoo', p_job, v_at, p_now, 'queued', v_org, p_now)
    on conflict (idempotency_key) do nothing
    returning id into v_run;
    continue when v_run is null;
    v_req := net.http_post(
      url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url')
        || '/functions/v1/' || v_fn,
      headers := jsonb_build_object(
        'Content-Type', 'application/json',
        'Authorization', 'Bearer ' || (
          select decrypted_secret from vault.decrypted_secrets where name = 'service_role_key')
      ),
      body := jsonb_build_object('org_id', v_org, 'mode', 'incremental', 'scheduled_for', v_at),
      timeout_milliseconds := v_cfg.request_timeout_ms);
    update public.sync_runs set request_id = v_req where id = v_run;
    -- pg_net ids restart if the extension is re-created: a stale row must not fail the tick.
    insert into public.cron_http_requests (request_id, job_name, function_name)
    values (v_req, v_fn || '-incremental', v_fn)
    on conflict (request_id) do update
      set job_name = excluded.job_name, function_name = excluded.function_name,
        created_at = excluded.created_at;
    n := n + 1;
  end loop;
  return n;
end
$$;

revoke all on function public.sync_reap_runs(text, timestamptz)
  from public, anon, authenticated, service_role;
revoke all on function public.sync_in_flight(text)
  from public, anon, authenticated, service_role;
revoke all on function public.sync_due_orgs(text, timestamptz, integer)
  from public, anon, authenticated, service_role;
revoke all on function public.dispatch_odoo_sync(text, timestamptz, integer)
  from public, anon, authenticated, service_role;
-- The sync functions call the dispatcher (as service_role) after finishing an
-- organization, so the bound stays full between ticks.
grant execute on function public.dispatch_odoo_sync(text, timestamptz, integer) to service_role;
grant execute on function public.sync_in_flight(text) to service_role;

-- What to watch: per job, organizations due / in flight / failing.
create or replace view public.sync_dispatch_overview
with (security_invoker = true) as
select s.job, s.max_in_flight,
  public.sync_in_flight(s.job) as in_flight,
  (select count(*) from public.sync_runs r
    where r.job = s.job and r.org_id is not null and r.status = 'queued')::integer as queued,
  (select count(*) from public.sync_org_state o
    where o.job = s.job and o.consecutive_failures > 0)::integer as failing,
  (select count(*) from public.integration_credentials c
    left join public.sync_org_state o on o.org_id = c.org_id and o.job = s.job
    where c.integration_type = 'odoo' and (o.last_success_at is null
      or o.last_success_at < now() - interval '30 minutes'))::integer as stale_30m
from public.sync_dispatch_settings s;
revoke all on table public.sync_dispatch_overview from public, anon, authenticated;
grant select on table public.sync_dispatch_overview to service_role;

-- The cron jobs are defined once, by public.edge_guard_schedule_jobs()
-- (..._cron_jobs_defined_once.sql), so re-running this file changes no job.
do $$
begin
  if to_regprocedure('public.edge_guard_schedule_jobs()') is not null then
    perform public.edge_guard_schedule_jobs();
  end if;
end
$$;
