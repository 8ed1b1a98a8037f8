-- The Odoo sync on Supabase Queues (issue 26, docs/fanout.md), part 2: the SQL
-- functions that own run state. A worker starts (start_sync_worker), claims
-- one organization at a time (claim_org_sync: pgmq.read with the lease as
-- visibility timeout), and ends each with finish_org_sync or fail_org_sync,
-- which delete or archive its message in the same transaction; "sync now"
-- claims with claim_org_sync_now and ends the same way. Every timestamp comes
-- from the database clock. Safe to run more than once, on hosted and locally.

-- Ends run p_run of (p_org, p_job) and moves the organization's state: next
-- slot after a success, due at once after a partial run, backoff with jitter
-- and a cap after a failure, parked after park_after failures in a row.
-- Returns false when the run no longer holds the organization (a stale worker).
create or replace function public.settle_org_sync(p_org uuid, p_job text, p_run bigint,
  p_status text, p_error text, p_counts jsonb, p_results jsonb)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  cfg public.sync_queue_settings;
  s public.sync_org_state;
  n integer;
  v_next timestamptz;
begin
  update public.sync_runs set finished_at = now(), status = p_status,
    counts = coalesce(p_counts, counts), org_results = coalesce(p_results, org_results),
    error_summary = left(p_error, 200)
  where id = p_run and status = 'running';
  select * into s from public.sync_org_state o where o.org_id = p_org and o.job = p_job for update;
  if not found or s.run_id is distinct from p_run then
    return false;
  end if;
  select * into strict cfg from public.sync_queue_settings c where c.job = p_job;
  n := case when p_status = 'failed' then s.consecutive_failures + 1 else 0 end;
  v_next := case p_status
    when 'succeeded' then public.sync_next_slot(p_org, now(), cfg.period)
    when 'partial' then now()
    else now() + case when n >= cfg.park_after then cfg.parked_retry
      else least(cfg.backoff_cap, cfg.backoff_base * pg_catalog.power(2, least(n - 1, 30)))
        * (0.5 + pg_catalog.random() / 2) end end;
  if s.msg_id is not null and p_status = 'failed' then
    perform pgmq.archive('odoo_sync_' || p_job, s.msg_id);
  elsif s.msg_id is not null then
    perform pgmq.delete('odoo_sync_' || p_job, s.msg_id);
  end if;
  update public.sync_org_state o set run_id = null, run_manual = false, lease_until = null,
    msg_id = null, next_due_at = v_next, last_finished_at = now(), last_status = p_status,
    last_error = case when p_status = 'failed' then left(p_error, 200) end,
    last_success_at = case when p_status = 'succeeded' then now() else o.last_success_at end,
    consecutive_failures = n,
    next_attempt_at = case when p_status = 'failed' then v_next end,
    parked_at = case when p_status <> 'failed' then null
      when n >= cfg.park_after then coalesce(o.parked_at, now()) end,
    next_mode = case when p_status = 'succeeded' then 'incremental' else o.next_mode end,
    last_run_id = p_run
  where o.org_id = p_org and o.job = p_job;
  return true;
end
$$;

/**
 * A worker invocation starts: a woken one (p_worker, from the tick) takes up
 * its lease; a service call without one registers itself if the bound allows.
 * Returns the worker id and its time limits, or no row (then it must stop).
 */
create or replace function public.start_sync_worker(p_job text, p_worker bigint default null)
returns table (worker_id bigint, budget_ms integer, org_deadline_ms integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  cfg public.sync_queue_settings;
  v_id bigint;
begin
  select * into cfg from public.sync_queue_settings c where c.job = p_job;
  if not found then
    return;
  end if;
  if p_worker is null then
    perform pg_advisory_xact_lock(hashtext('public.tick_odoo_sync'), hashtext(p_job));
    if (select count(*) from public.sync_workers w where w.job = p_job and w.stopped_at is null
        and w.lease_until > now()) < cfg.max_workers then
      insert into public.sync_workers (job, started_at, lease_until)
      values (p_job, now(), now() + make_interval(secs => cfg.org_deadline_seconds + 30))
      returning id into v_id;
    end if;
  else
    update public.sync_workers w set started_at = coalesce(w.started_at, now()),
      lease_until = now() + make_interval(secs => cfg.org_deadline_seconds + 30)
    where w.id = p_worker and w.job = p_job and w.stopped_at is null and w.lease_until > now()
    returning w.id into v_id;
  end if;
  if v_id is not null then
    return query select v_id, cfg.worker_budget_seconds * 1000, cfg.org_deadline_seconds * 1000;
  end if;
end
$$;

-- A worker is done (queue empty, budget spent, or it failed): its slot is free
-- at once. With p_relay (its budget ended, messages are left) it wakes its
-- successor now instead of leaving the slot idle until the next tick.
-- (public.wake_sync_workers is defined by ..._sync_queue_tick.sql; plpgsql
-- resolves it when called.)
drop function if exists public.stop_sync_worker(bigint);
create or replace function public.stop_sync_worker(p_worker bigint, p_relay boolean default false)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_job text;
begin
  update public.sync_workers set stopped_at = now(), lease_until = least(lease_until, now())
  where id = p_worker and stopped_at is null
  returning job into v_job;
  if v_job is null then
    return false;
  end if;
  if p_relay then
    perform public.wake_sync_workers(v_job);
  end if;
  return true;
end
$$;

/**
 * Claims the next organization for worker p_worker: reads one message with the
 * lease as its visibility timeout, drops messages of organizations no longer
 * enrolled, steps around an organization held by "sync now", marks a run whose
 * worker died (its lease ended) lost, and opens a `running` run. No row: the
 * queue is empty, the worker's lease or budget is over; the worker stops.
 */
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
      status, org_id)
    values (v_key, 'odoo', w.job, (m.message ->> 'due_at')::timestamptz, now(), 'running', s.org_id)
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

/**
 * "Sync now" (an admin, or a service call naming org_id): claims the
 * organization inline with the same lease, key builder and state as a worker.
 * outcome: `claimed`, `already_ran` (same key this minute; previous_status set)
 * or `busy` (a worker or another "sync now" holds it).
 */
drop function if exists public.claim_org_sync_now(uuid, text, text);
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
    status, org_id)
  values (v_key, 'odoo', p_job, date_trunc('minute', now()), now(), 'running', p_org)
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

-- A run ends well: succeeded (next slot) or partial (deadline between pages; due again at once).
create or replace function public.finish_org_sync(p_run bigint, p_status text,
  p_counts jsonb default null, p_results jsonb default null, p_note text default null)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  r public.sync_runs;
begin
  if p_status not in ('succeeded', 'partial') then
    raise exception 'finish_org_sync: status must be succeeded or partial' using errcode = '22023';
  end if;
  select * into r from public.sync_runs x where x.id = p_run;
  if not found or r.org_id is null then
    return false;
  end if;
  return public.settle_org_sync(r.org_id, r.job, p_run, p_status, p_note, p_counts, p_results);
end
$$;

-- A run fails with a fixed error code: backoff with jitter, parked after park_after in a row.
create or replace function public.fail_org_sync(p_run bigint, p_error text,
  p_counts jsonb default null, p_results jsonb default null)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  r public.sync_runs;
begin
  select * into r from public.sync_runs x where x.id = p_run;
  if not found or r.org_id is null then
    return false;
  end if;
  return public.settle_org_sync(r.org_id, r.job, p_run, 'failed', coalesce(p_error, 'internal_error'),
    p_counts, p_results);
end
$$;

revoke all on function public.settle_org_sync(uuid, text, bigint, text, text, jsonb, jsonb)
  from public, anon, authenticated, service_role;
do $$
declare
  f text;
begin
  foreach f in array array['public.start_sync_worker(text, bigint)',
    'public.stop_sync_worker(bigint, boolean)', 'public.claim_org_sync(bigint)',
    'public.claim_org_sync_now(uuid, text, text, text)',
    'public.finish_org_sync(bigint, text, jsonb, jsonb, text)',
    'public.fail_org_sync(bigint, text, jsonb, jsonb)'] loop
    execute format('revoke all on function %s from public, anon, authenticated', f);
    execute format('grant execute on function %s to service_role', f);
  end loop;
end
$$;
