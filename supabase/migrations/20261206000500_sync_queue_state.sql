-- The Odoo sync on Supabase Queues (issue 26, docs/fanout.md), part 1: the
-- queues, the settings, the per-organization state with its indexed
-- `next_due_at`, the worker leases, and the one place where a run's period and
-- idempotency key are built. Safe to run more than once, on a real Supabase
-- project (postgres is not a superuser there; pgmq's control file says
-- `superuser = false`) and on the local stack.

create extension if not exists pgmq;
select pgmq.create('odoo_sync_crm');
select pgmq.create('odoo_sync_chatter');

-- One row per job; change with UPDATE (docs/fanout.md, "Settings").
create table if not exists public.sync_queue_settings (
  job text primary key constraint sync_queue_settings_job_check check (job in ('crm', 'chatter')),
  -- Worker invocations of this job alive at once (leases in sync_workers). 0 pauses the job.
  max_workers integer not null default 20
    constraint sync_queue_settings_workers_check check (max_workers between 0 and 500),
  -- Every organization is synced once per period, at its own offset inside it.
  period interval not null default interval '15 minutes',
  -- A worker claims no new organization after this many seconds (platform: 150 s / 400 s).
  worker_budget_seconds integer not null default 90
    constraint sync_queue_settings_budget_check check (worker_budget_seconds between 5 and 300),
  -- Per organization: no new page after this; released with a backoff soon after.
  org_deadline_seconds integer not null default 40
    constraint sync_queue_settings_deadline_check check (org_deadline_seconds between 1 and 240),
  -- A woken worker that has not claimed within this stops counting against max_workers.
  wake_lease_seconds integer not null default 30,
  -- pg_net's timeout of a wake-up call (the call answers 202 at once).
  wake_timeout_ms integer not null default 5000,
  -- Most messages enqueued by one tick (the rest go next tick, oldest due first).
  enqueue_batch integer not null default 5000,
  -- Failures in a row: wait least(cap, base * 2^(n-1)) * (0.5 + random() / 2).
  backoff_base interval not null default interval '1 minute',
  backoff_cap interval not null default interval '1 hour',
  -- After this many failures in a row the organization is parked: alerted once, retried slowly.
  park_after integer not null default 6 constraint sync_queue_settings_park_check check (park_after > 0),
  parked_retry interval not null default interval '6 hours',
  -- A message delivered this many times without a finish (its worker died each time) fails.
  max_deliveries integer not null default 3,
  updated_at timestamptz not null default now()
);
insert into public.sync_queue_settings (job) values ('crm'), ('chatter')
on conflict (job) do nothing;

-- How often each organization's values are all read again (issue 25): the tick
-- enqueues mode "full" when public.sync_full_refresh_due says so.
alter table public.sync_queue_settings
  add column if not exists full_refresh_every interval not null default interval '1 day';
alter table public.sync_queue_settings drop constraint if exists sync_queue_settings_refresh_check;
alter table public.sync_queue_settings add constraint sync_queue_settings_refresh_check
  check (full_refresh_every >= interval '1 hour' and full_refresh_every <= interval '30 days'
    and extract(month from full_refresh_every) = 0);
-- A project that ran the first dispatcher keeps its cadence (its table goes in ..._sync_queue_tick.sql).
do $$
begin
  if to_regclass('public.sync_dispatch_settings') is not null then
    if exists (select 1 from pg_attribute a where a.attrelid = to_regclass('public.sync_dispatch_settings')
        and a.attname = 'full_refresh_every' and not a.attisdropped) then
      execute 'update public.sync_queue_settings q set full_refresh_every = d.full_refresh_every
        from public.sync_dispatch_settings d where d.job = q.job';
    end if;
  end if;
end
$$;

-- THE decision "is a full refresh due for this organization and job": one is
-- in progress (continue it), or the organization's slot after its last refresh
-- (or after its first sync, if it never had one) has come. Nothing synced yet:
-- not due (the first sync reads everything anyway). The tick asks it for each
-- message it enqueues (public.tick_odoo_sync).
create or replace function public.sync_full_refresh_due(
  p_org_id uuid, p_job text, p_now timestamptz default now())
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((
    select c.refresh_after_id is not null
      or public.sync_next_full_refresh(p_org_id, coalesce(c.refreshed_at, c.created_at),
        coalesce(s.full_refresh_every, interval '1 day')) <= p_now
    from public.sync_cursors c
    left join public.sync_queue_settings s on s.job = p_job
    where c.org_id = p_org_id and c.job = p_job), false)
$$;

-- sync_org_state (created by ..._sync_dispatcher.sql) becomes the one record of
-- where each organization stands; the columns below are what the queue adds.
alter table public.sync_org_state add column if not exists enrolled_at timestamptz not null default now();
alter table public.sync_org_state add column if not exists next_due_at timestamptz not null default now();
alter table public.sync_org_state add column if not exists next_mode text not null default 'incremental';
alter table public.sync_org_state add column if not exists msg_id bigint;
alter table public.sync_org_state add column if not exists run_id bigint;
alter table public.sync_org_state add column if not exists lease_until timestamptz;
alter table public.sync_org_state add column if not exists run_manual boolean not null default false;
alter table public.sync_org_state add column if not exists parked_at timestamptz;
alter table public.sync_org_state add column if not exists seq_period timestamptz;
alter table public.sync_org_state add column if not exists seq integer not null default 0;
alter table public.sync_org_state drop constraint if exists sync_org_state_mode_check;
alter table public.sync_org_state add constraint sync_org_state_mode_check
  check (next_mode in ('incremental', 'full'));
comment on column public.sync_org_state.next_due_at is
  'When the next message is enqueued (set by finish/fail, credential changes); the tick reads it by index.';
comment on column public.sync_org_state.msg_id is 'The pgmq message outstanding for this organization and job, if any.';
comment on column public.sync_org_state.run_id is 'The sync_runs row in progress (lease_until in the future), if any.';
create index if not exists sync_org_state_due_idx
  on public.sync_org_state (job, next_due_at) where msg_id is null;
create index if not exists sync_org_state_queued_idx
  on public.sync_org_state (job, next_due_at) where msg_id is not null;
create index if not exists sync_org_state_fresh_idx
  on public.sync_org_state ((coalesce(last_success_at, enrolled_at)));
create index if not exists sync_org_state_failing_idx
  on public.sync_org_state (org_id) where consecutive_failures > 0;

-- Runs in progress, for the watchdog's stuck-run check and the reaper.
create index if not exists sync_runs_running_idx on public.sync_runs (started_at) where status = 'running';
create index if not exists sync_runs_finished_idx on public.sync_runs (finished_at);
-- One organization's runs, newest first (the status page, an operator).
create index if not exists sync_runs_org_period_idx
  on public.sync_runs (org_id, job, scheduled_for) where org_id is not null;

-- A worker invocation: woken by a tick (or started by a service call), alive
-- while lease_until is in the future. The bound counts these rows, never pg_net answers.
create table if not exists public.sync_workers (
  id bigint generated always as identity primary key,
  job text not null,
  woken_at timestamptz not null default now(),
  started_at timestamptz,
  lease_until timestamptz not null,
  stopped_at timestamptz,
  claimed integer not null default 0,
  request_id bigint
);
create index if not exists sync_workers_live_idx on public.sync_workers (job, lease_until)
  where stopped_at is null;
create index if not exists sync_workers_woken_idx on public.sync_workers (woken_at);

alter table public.sync_queue_settings enable row level security;
alter table public.sync_workers enable row level security;
revoke all on table public.sync_queue_settings, public.sync_workers
  from public, anon, authenticated, service_role;
grant select on table public.sync_queue_settings, public.sync_workers to service_role;

-- The period that contains p_at (period-aligned from 2000-01-01 UTC).
create or replace function public.sync_period(p_at timestamptz, p_period interval)
returns timestamptz
language sql immutable
set search_path = ''
as $$
  select pg_catalog.date_bin(p_period, p_at, timestamptz '2000-01-01Z')
$$;

-- An organization's fixed offset inside every period, so due times spread evenly.
create or replace function public.sync_offset(p_org uuid, p_period interval)
returns interval
language sql immutable
set search_path = ''
as $$
  select pg_catalog.make_interval(secs => (pg_catalog.abs(pg_catalog.hashtext(p_org::text)::bigint)
    % greatest(extract(epoch from p_period)::bigint, 1))::double precision)
$$;

-- THE idempotency key of a run: `odoo:<job>[:full]:org:<org>:<period>` for a
-- queued run (`:<n>` for the n-th message of the same period, `:r<k>` for its
-- k-th delivery), `odoo:<job>[:full]:manual:<org>:<minute>` for an admin's
-- "sync now", `odoo:<job>[:full]:service:<org>:<minute>` for a service call naming the org.
create or replace function public.sync_run_key(p_job text, p_org uuid, p_mode text, p_kind text,
  p_at timestamptz, p_seq integer default 1, p_delivery integer default 1)
returns text
language sql immutable
set search_path = ''
as $$
  select 'odoo:' || p_job || case when p_mode = 'full' then ':full' else '' end || ':' ||
    case when p_kind in ('manual', 'service') then p_kind else 'org' end || ':' || p_org::text || ':' ||
    pg_catalog.to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') ||
    case when p_seq > 1 then ':' || p_seq else '' end ||
    case when p_delivery > 1 then ':r' || p_delivery else '' end
$$;

-- When an organization is next due after a good sync at p_at: its offset in the next period.
create or replace function public.sync_next_slot(p_org uuid, p_at timestamptz, p_period interval)
returns timestamptz
language sql immutable
set search_path = ''
as $$
  select public.sync_period(p_at, p_period) + p_period + public.sync_offset(p_org, p_period)
$$;

-- Live state moves over: every organization with an odoo credential gets a
-- row per job; an existing row keeps its history and becomes due when its old
-- backoff ends, or at its slot after its last success. Cursors (sync_cursors) are untouched.
insert into public.sync_org_state (org_id, job, enrolled_at, next_due_at)
select c.org_id, j.job, c.created_at, now() from public.integration_credentials c
cross join (values ('crm'), ('chatter')) j(job)
where c.integration_type = 'odoo'
on conflict (org_id, job) do nothing;
update public.sync_org_state o
set next_due_at = coalesce(o.next_attempt_at, case when o.last_success_at is not null then
    public.sync_next_slot(o.org_id, o.last_success_at, interval '15 minutes') end, now())
where o.seq = 0 and o.msg_id is null and o.run_id is null and o.seq_period is null
  and o.last_finished_at is not null;

-- A credential added or changed makes its organization due now (a fixed key
-- ends a parked tenant's wait); a removed one drops its state and message, so
-- its alerts resolve at the next watchdog pass.
create or replace function public.track_sync_credential()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  r record;
begin
  if tg_op in ('UPDATE', 'DELETE') and old.integration_type = 'odoo' then
    for r in select s.job, s.msg_id from public.sync_org_state s
      where s.org_id = old.org_id and s.msg_id is not null loop
      perform pgmq.delete('odoo_sync_' || r.job, r.msg_id);
    end loop;
    if tg_op = 'DELETE' or new.integration_type <> 'odoo' then
      delete from public.sync_org_state s where s.org_id = old.org_id;
      return null;
    end if;
  end if;
  if new.integration_type = 'odoo' then
    insert into public.sync_org_state as s (org_id, job, enrolled_at, next_due_at)
    select new.org_id, j.job, coalesce(new.created_at, now()), now()
    from (values ('crm'), ('chatter')) j(job)
    on conflict (org_id, job) do update
      set next_due_at = now(), msg_id = null, consecutive_failures = 0, parked_at = null,
        next_attempt_at = null;
  end if;
  return null;
end
$$;
revoke all on function public.track_sync_credential() from public, anon, authenticated, service_role;
drop trigger if exists integration_credentials_track_sync on public.integration_credentials;
create trigger integration_credentials_track_sync
  after insert or delete or update on public.integration_credentials
  for each row execute function public.track_sync_credential();

do $$
declare
  f text;
begin
  foreach f in array array['public.sync_period(timestamptz, interval)',
    'public.sync_offset(uuid, interval)',
    'public.sync_run_key(text, uuid, text, text, timestamptz, integer, integer)',
    'public.sync_next_slot(uuid, timestamptz, interval)',
    'public.sync_full_refresh_due(uuid, text, timestamptz)'] loop
    execute format('revoke all on function %s from public, anon, authenticated', f);
    execute format('grant execute on function %s to service_role', f);
  end loop;
end
$$;
