-- The Odoo sync on Supabase Queues (issue 26, docs/fanout.md), part 3: the
-- tick that the two cron jobs run every minute, the one function that defines
-- those jobs, the overview view, and the removal of the old dispatcher
-- (dispatch_odoo_sync, sync_in_flight, sync_reap_runs, sync_due_orgs, its
-- trigger and settings). Safe to run more than once, on hosted and locally.

/**
 * Wakes workers of p_job through pg_net: as many as there are visible
 * messages, never more than max_workers minus the workers whose lease is live
 * (sync_workers, never pg_net's answers). Called by the tick and by a worker
 * that stops with messages left (its successor starts at once, not at the
 * next tick). Returns how many it woke.
 */
create or replace function public.wake_sync_workers(p_job text)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  cfg public.sync_queue_settings;
  fn text := case p_job when 'crm' then 'odoo-crm-sync' when 'chatter' then 'odoo-chatter-sync' end;
  v_live integer;
  v_visible integer;
  v_worker bigint;
  v_req bigint;
  woken integer := 0;
begin
  perform pg_advisory_xact_lock(hashtext('public.tick_odoo_sync'), hashtext(p_job));
  select * into strict cfg from public.sync_queue_settings c where c.job = p_job;
  select count(*) into v_live from public.sync_workers w
  where w.job = p_job and w.stopped_at is null and w.lease_until > now();
  execute format('select count(*) from (select 1 from pgmq.%I where vt <= clock_timestamp() limit $1) x',
    'q_odoo_sync_' || p_job) into v_visible using greatest(cfg.max_workers, 0);
  for i in 1..least(cfg.max_workers - v_live, v_visible) loop
    insert into public.sync_workers (job, lease_until)
    values (p_job, now() + make_interval(secs => cfg.wake_lease_seconds))
    returning id into v_worker;
    v_req := net.http_post(
      url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url')
        || '/functions/v1/' || fn,
      headers := jsonb_build_object(
        'Content-Type', 'application/json',
        'Authorization', 'Bearer ' || (
          select decrypted_secret from vault.decrypted_secrets where name = 'service_role_key')),
      body := jsonb_build_object('worker_id', v_worker),
      timeout_milliseconds := cfg.wake_timeout_ms);
    update public.sync_workers w set request_id = v_req where w.id = v_worker;
    -- pg_net ids restart if the extension is re-created: a stale row must not fail the tick.
    insert into public.cron_http_requests (request_id, job_name, function_name)
    values (v_req, fn || '-incremental', fn)
    on conflict (request_id) do update
      set job_name = excluded.job_name, function_name = excluded.function_name,
        created_at = excluded.created_at;
    woken := woken + 1;
  end loop;
  return woken;
end
$$;
revoke all on function public.wake_sync_workers(text) from public, anon, authenticated, service_role;

/**
 * One tick of p_job: enqueues one message per due organization (next_due_at
 * reached, none outstanding; at most enqueue_batch, oldest due first), then
 * wakes workers through pg_net: as many as there are visible messages, never
 * more than max_workers minus the workers whose lease is live. Reads only
 * indexed state; holds a per-job transaction lock and does no I/O (pg_net sends
 * after commit). Returns {"enqueued", "woken", "live"}.
 */
create or replace function public.tick_odoo_sync(p_job text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  cfg public.sync_queue_settings;
  fn text := case p_job when 'crm' then 'odoo-crm-sync' when 'chatter' then 'odoo-chatter-sync' end;
  q text := 'odoo_sync_' || p_job;
  v_period timestamptz;
  v_live integer;
  enqueued integer := 0;
  woken integer := 0;
begin
  if fn is null then
    raise exception 'unknown sync job %', p_job using errcode = '22023';
  end if;
  perform pg_advisory_xact_lock(hashtext('public.tick_odoo_sync'), hashtext(p_job));
  select * into strict cfg from public.sync_queue_settings c where c.job = p_job;
  v_period := public.sync_period(now(), cfg.period);
  -- A message that vanished (purged by hand) must not leave its tenant waiting
  -- forever: a state whose message is gone a period after it was due is freed.
  execute format($q$
    update public.sync_org_state s set msg_id = null
    from (select x.org_id from public.sync_org_state x
      where x.job = $1 and x.msg_id is not null and x.next_due_at < now() - $2
        and (x.run_id is null or x.lease_until < now())
        and not exists (select 1 from pgmq.%I m where m.msg_id = x.msg_id)
      for update skip locked) gone
    where s.org_id = gone.org_id and s.job = $1$q$, 'q_' || q)
  using p_job, cfg.period;
  -- Set-based enqueue: the insert pgmq.send does (pgmq.q_<queue>, vt now), one
  -- statement for the whole batch, and each message id recorded on its state row.
  -- The mode is decided here: "full" when the organization's scheduled full
  -- refresh is due (public.sync_full_refresh_due, one primary-key probe of
  -- sync_cursors per message) or an operator asked for one (next_mode).
  execute format($q$
    with due as (
      select s.org_id, s.next_due_at,
        case when s.next_mode = 'full' or public.sync_full_refresh_due(s.org_id, $1, now())
          then 'full' else 'incremental' end as mode,
        case when s.seq_period = $2 then s.seq + 1 else 1 end as seq
      from public.sync_org_state s
      where s.job = $1 and s.msg_id is null and s.next_due_at <= now()
      order by s.next_due_at limit $3
      for update skip locked),
    sent as (
      insert into pgmq.%I (vt, message)
      select clock_timestamp(), jsonb_build_object('org_id', d.org_id, 'job', $1, 'mode', d.mode,
        'due_at', d.next_due_at, 'period', $2, 'seq', d.seq,
        'key', public.sync_run_key($1, d.org_id, d.mode, 'org', $2, d.seq))
      from due d
      returning msg_id, (message ->> 'org_id')::uuid as org_id, (message ->> 'seq')::integer as seq)
    update public.sync_org_state s set msg_id = sent.msg_id, seq_period = $2, seq = sent.seq
    from sent where s.org_id = sent.org_id and s.job = $1$q$, 'q_' || q)
  using p_job, v_period, cfg.enqueue_batch;
  get diagnostics enqueued = row_count;

  woken := public.wake_sync_workers(p_job);
  select count(*) into v_live from public.sync_workers w
  where w.job = p_job and w.stopped_at is null and w.lease_until > now();
  return jsonb_build_object('enqueued', enqueued, 'woken', woken, 'live', v_live);
end
$$;
revoke all on function public.tick_odoo_sync(text) from public, anon, authenticated, service_role;


-- The old dispatcher goes (its state lives on in sync_org_state).
drop view if exists public.sync_dispatch_overview;
drop trigger if exists sync_runs_track_org on public.sync_runs;
drop function if exists public.sync_runs_track_org();
drop function if exists public.dispatch_odoo_sync(text, timestamptz, integer);
drop function if exists public.sync_due_orgs(text, timestamptz, integer);
drop function if exists public.sync_in_flight(text);
drop function if exists public.sync_reap_runs(text, timestamptz);
drop table if exists public.sync_dispatch_settings;
drop index if exists public.sync_runs_in_progress_idx;

-- What to watch, per job (pgmq.metrics reads the queue table; the rest is indexed state).
create or replace view public.sync_queue_overview
with (security_invoker = false) as
select c.job, c.max_workers,
  (select count(*) from public.sync_workers w where w.job = c.job and w.stopped_at is null
    and w.lease_until > now())::integer as live_workers,
  (pgmq.metrics('odoo_sync_' || c.job)).queue_length::integer as queued,
  (select count(*) from public.sync_org_state o where o.job = c.job
    and o.run_id is not null and o.lease_until > now())::integer as running,
  (select count(*) from public.sync_org_state o where o.job = c.job
    and o.consecutive_failures > 0)::integer as failing,
  (select count(*) from public.sync_org_state o where o.job = c.job
    and o.parked_at is not null)::integer as parked,
  (select count(*) from public.sync_org_state o where o.job = c.job
    and coalesce(o.last_success_at, o.enrolled_at) < now() - 2 * c.period)::integer as stale
from public.sync_queue_settings c;
revoke all on table public.sync_queue_overview from public, anon, authenticated;
grant select on table public.sync_queue_overview to service_role;

-- The two sync jobs now run public.tick_odoo_sync. Every cron job is defined
-- once, by public.edge_guard_schedule_jobs() (..._cron_jobs_defined_once.sql,
-- which calls it); re-running this file changes no job.
do $$
begin
  if to_regprocedure('public.edge_guard_schedule_jobs()') is not null then
    perform public.edge_guard_schedule_jobs();
  end if;
end
$$;
