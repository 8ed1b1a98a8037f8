-- Who started a sync run, its key and period built once, and the declared shape
-- of org_results (issue 23). docs/odoo-sync.md, "Runs and idempotency"; docs/fanout.md.
--
-- 1. public.sync_runs.started_by says who started a run: `schedule` (a queue
--    worker), `admin` (an integration admin's "sync now") or `service` (a
--    service call: one organization by org_id, or every organization in
--    turn). Every claim function sets it; the default is a worker's. Until
--    now integration-status read it back from the idempotency key's text.
-- 2. Every idempotency key is built by public.sync_run_key, and every period by
--    public.sync_period with public.sync_queue_settings.period: the run over
--    every organization (an operator's service call) now claims its row through
--    public.claim_sync_pass instead of building `odoo:<job>:<slot>` in
--    TypeScript with its own 15 minutes. The watchdog's freshness check reads
--    the same period per job, so public.edge_guard_settings.sync_period (a
--    second copy of it) is dropped.
-- 3. org_results: {"<org uuid>": {"status": "ok", "complete": bool, counts} |
--    {"status": "error", "error": "<code>", counts}}, counts being fetched,
--    upserted, pages, deleted (whole numbers >= 0). Declared by
--    public.sync_org_results_valid and checked on every write (the TypeScript
--    side: supabase/functions/_shared/sync-results.ts). NOT VALID: rows
--    written before this migration are not re-read.

-- 1. started_by
alter table public.sync_runs add column if not exists started_by text not null default 'schedule';
update public.sync_runs set started_by = 'admin'
where idempotency_key like '%:manual:%' and started_by <> 'admin';
update public.sync_runs set started_by = 'service'
where idempotency_key like '%:service:%' and started_by <> 'service';
alter table public.sync_runs drop constraint if exists sync_runs_started_by_check;
alter table public.sync_runs add constraint sync_runs_started_by_check
  check (started_by in ('schedule', 'admin', 'service'));
comment on column public.sync_runs.started_by is
  'Who started the run: schedule (a queue worker), admin (an integration admin''s "sync now") or service (a service call, for one organization or all).';

comment on column public.sync_runs.org_id is
  'The one organization of a per-organization run (a queue worker''s, a service call naming org_id, or sync now); null for a run over every organization.';

-- 2. One key builder: `all` is the run over every organization (p_org null).
create or replace function public.sync_run_key(p_job text, p_org uuid, p_mode text, p_kind text,
  p_at timestamptz, p_seq integer default 1, p_delivery integer default 1)
returns text
language sql
immutable
set search_path = ''
as $$
  select 'odoo:' || p_job || case when p_mode = 'full' then ':full' else '' end || ':' ||
    case when p_kind = 'all' then ''
      else case when p_kind in ('manual', 'service') then p_kind else 'org' end || ':' ||
        p_org::text || ':' end ||
    pg_catalog.to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') ||
    case when p_seq > 1 then ':' || p_seq else '' end ||
    case when p_delivery > 1 then ':r' || p_delivery else '' end
$$;

/**
 * The run over every organization (a service call without org_id; an
 * operator's tool, never scheduled): one per job, mode and period of
 * sync_queue_settings.period. p_scheduled_for: the caller's slot (a body's
 * scheduled_for), else this minute. outcome: `claimed`, or `already_ran`
 * (previous_status set) when the period's key exists.
 */
create or replace function public.claim_sync_pass(p_job text, p_mode text,
  p_scheduled_for timestamptz default null)
returns table (run_id bigint, idempotency_key text, outcome text, previous_status text,
  scheduled_for timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
declare
  cfg public.sync_queue_settings;
  v_at timestamptz := coalesce(p_scheduled_for, date_trunc('minute', now()));
  v_key text;
  v_run bigint;
begin
  if p_mode is null or p_mode not in ('incremental', 'full') then
    raise exception 'claim_sync_pass: mode must be incremental or full' using errcode = '22023';
  end if;
  select * into cfg from public.sync_queue_settings c where c.job = p_job;
  if not found then
    raise exception 'claim_sync_pass: no sync_queue_settings row for job %', p_job
      using errcode = '22023';
  end if;
  v_key := public.sync_run_key(p_job, null, p_mode, 'all', public.sync_period(v_at, cfg.period));
  insert into public.sync_runs (idempotency_key, integration, job, scheduled_for, started_at,
    status, started_by)
  values (v_key, 'odoo', p_job, v_at, now(), 'running', 'service')
  on conflict on constraint sync_runs_idempotency_key_key do nothing
  returning id into v_run;
  if v_run is null then
    return query select r.id, v_key, 'already_ran', r.status, r.scheduled_for
      from public.sync_runs r where r.idempotency_key = v_key;
    return;
  end if;
  return query select v_run, v_key, 'claimed', null::text, v_at;
end
$$;

create or replace function public.claim_org_sync(p_worker bigint)
returns table (run_id bigint, org_id uuid, mode text, idempotency_key text, deadline_ms integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  w public.sync_workers;
  cfg public.sync_queue_settings;
  m pgmq.message_record;
  s public.sync_org_state;
  q text;
  v_lease integer;
  v_key text;
  v_run bigint;
begin
  select * into w from public.sync_workers x where x.id = p_worker for update;
  if not found or w.stopped_at is not null or w.lease_until <= now() then
    return;
  end if;
  select * into strict cfg from public.sync_queue_settings c where c.job = w.job;
  if now() > coalesce(w.started_at, now()) + make_interval(secs => cfg.worker_budget_seconds) then
    return;
  end if;
  q := 'odoo_sync_' || w.job;
  v_lease := cfg.org_deadline_seconds + 30;
  for i in 1..50 loop
    select * into m from pgmq.read(q, v_lease, 1);
    if m.msg_id is null then
      return;
    end if;
    select * into s from public.sync_org_state o
    where o.org_id = (m.message ->> 'org_id')::uuid and o.job = w.job for update;
    if not found or s.msg_id is distinct from m.msg_id then
      perform pgmq.delete(q, m.msg_id);
      continue;
    end if;
    if s.run_id is not null and s.run_manual and s.lease_until > now() then
      perform pgmq.set_vt(q, m.msg_id,
        greatest(ceil(extract(epoch from s.lease_until - now()))::integer, 1));
      continue;
    end if;
    if s.run_id is not null then
      update public.sync_runs r set status = 'failed', finished_at = now(), error_summary = 'run_lost'
      where r.id = s.run_id and r.status = 'running';
      update public.sync_org_state o set run_id = null where o.org_id = s.org_id and o.job = w.job;
    end if;
    v_key := public.sync_run_key(w.job, s.org_id, m.message ->> 'mode', 'org',
      (m.message ->> 'period')::timestamptz, (m.message ->> 'seq')::integer, m.read_ct);
    insert into public.sync_runs (idempotency_key, integration, job, scheduled_for, started_at,
      status, org_id, started_by)
    values (v_key, 'odoo', w.job, (m.message ->> 'due_at')::timestamptz, now(), 'running', s.org_id,
      'schedule')
    on conflict on constraint sync_runs_idempotency_key_key do nothing
    returning id into v_run;
    if v_run is null then
      perform pgmq.delete(q, m.msg_id);
      continue;
    end if;
    update public.sync_org_state o set run_id = v_run, run_manual = false,
      lease_until = now() + make_interval(secs => v_lease)
    where o.org_id = s.org_id and o.job = w.job;
    update public.sync_workers x set lease_until = now() + make_interval(secs => v_lease),
      claimed = x.claimed + 1, started_at = coalesce(x.started_at, now())
    where x.id = p_worker;
    if m.read_ct > cfg.max_deliveries then
      -- Its worker died every time: a failure of this organization, with backoff.
      perform public.settle_org_sync(s.org_id, w.job, v_run, 'failed', 'run_lost', null, null);
      continue;
    end if;
    return query select v_run, s.org_id, m.message ->> 'mode', v_key, cfg.org_deadline_seconds * 1000;
    return;
  end loop;
end
$$;

create or replace function public.claim_org_sync_now(p_org uuid, p_job text, p_mode text,
  p_kind text default 'manual')
returns table (run_id bigint, idempotency_key text, outcome text, previous_status text,
  deadline_ms integer, scheduled_for timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
declare
  cfg public.sync_queue_settings;
  s public.sync_org_state;
  v_key text;
  v_run bigint;
begin
  select * into strict cfg from public.sync_queue_settings c where c.job = p_job;
  select * into s from public.sync_org_state o where o.org_id = p_org and o.job = p_job for update;
  if found and s.run_id is not null and s.lease_until > now() then
    return query select s.run_id, null::text, 'busy', null::text, 0, null::timestamptz;
    return;
  end if;
  v_key := public.sync_run_key(p_job, p_org, p_mode,
    case when p_kind = 'service' then 'service' else 'manual' end, date_trunc('minute', now()));
  insert into public.sync_runs (idempotency_key, integration, job, scheduled_for, started_at,
    status, org_id, started_by)
  values (v_key, 'odoo', p_job, date_trunc('minute', now()), now(), 'running', p_org,
    case when p_kind = 'service' then 'service' else 'admin' end)
  on conflict on constraint sync_runs_idempotency_key_key do nothing
  returning id into v_run;
  if v_run is null then
    return query select r.id, v_key, 'already_ran', r.status, 0, r.scheduled_for from public.sync_runs r
      where r.idempotency_key = v_key;
    return;
  end if;
  update public.sync_org_state o set run_id = v_run, run_manual = true,
    lease_until = now() + make_interval(secs => cfg.org_deadline_seconds + 30)
  where o.org_id = p_org and o.job = p_job;
  return query select v_run, v_key, 'claimed', null::text, cfg.org_deadline_seconds * 1000,
    date_trunc('minute', now());
end
$$;

-- 3. The declared shape of sync_runs.org_results.
create or replace function public.sync_org_results_valid(p_results jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_typeof(p_results) = 'object' and not exists (
    select 1 from pg_catalog.jsonb_each(case when pg_catalog.jsonb_typeof(p_results) = 'object'
      then p_results else '{}' end) e(org, r)
    where not coalesce(
      e.org ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      and pg_catalog.jsonb_typeof(e.r) = 'object'
      and case e.r ->> 'status'
        when 'ok' then pg_catalog.jsonb_typeof(e.r -> 'complete') = 'boolean'
          and not e.r ? 'error'
        when 'error' then pg_catalog.jsonb_typeof(e.r -> 'error') = 'string'
          and e.r ->> 'error' ~ '^[a-z][a-z0-9_]{0,63}$' and not e.r ? 'complete'
        else false end
      and not exists (
        select 1 from pg_catalog.jsonb_each(case when pg_catalog.jsonb_typeof(e.r) = 'object'
          then e.r else '{}' end) f(k, v)
        where case
          when f.k in ('status', 'complete', 'error') then false
          when f.k in ('fetched', 'upserted', 'pages', 'deleted') then
            pg_catalog.jsonb_typeof(f.v) <> 'number'
            or f.v::text !~ '^[0-9]+$'
          else true end), false))
$$;

alter table public.sync_runs drop constraint if exists sync_runs_org_results_shape;
alter table public.sync_runs add constraint sync_runs_org_results_shape
  check (public.sync_org_results_valid(org_results)) not valid;

-- The freshness check reads each job's own period; edge_guard_settings.sync_period goes.
create or replace function edge_guard.check_freshness(p_now timestamptz)
returns table (check_id text, subject text, severity text, detail text)
language sql
stable
set search_path = ''
as $$
  select 'org_sync_stale', 'org:' || s.org_id::text, 'error',
    string_agg(s.job || case when s.last_success_at is null then ' never synced'
      else ' last synced ' || s.last_success_at::text end ||
      ': older than two sync periods (' || (2 * q.period)::text || ')', '; ' order by s.job)
  from public.sync_org_state s
  join public.sync_queue_settings q on q.job = s.job
  where coalesce(s.last_success_at, s.enrolled_at) < p_now - 2 * q.period
  group by s.org_id
$$;
revoke all on function edge_guard.check_freshness(timestamptz) from public;

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
revoke all on function public.edge_guard_findings(timestamptz) from public, anon, authenticated;
grant execute on function public.edge_guard_findings(timestamptz) to service_role;
drop function if exists edge_guard.check_freshness(timestamptz, interval);
alter table public.edge_guard_settings drop column if exists sync_period;

do $$
declare
  f text;
begin
  foreach f in array array['public.claim_sync_pass(text, text, timestamptz)',
    'public.sync_org_results_valid(jsonb)'] loop
    execute format('revoke all on function %s from public, anon, authenticated', f);
    execute format('grant execute on function %s to service_role', f);
  end loop;
end
$$;
