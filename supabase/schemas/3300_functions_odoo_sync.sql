-- supabase/schemas/3300_functions_odoo_sync.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE FUNCTION public.sync_offset(p_org uuid, p_period interval) RETURNS interval
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select pg_catalog.make_interval(secs => (pg_catalog.abs(pg_catalog.hashtext(p_org::text)::bigint)
    % greatest(extract(epoch from p_period)::bigint, 1))::double precision)
$$;

CREATE FUNCTION public.sync_period(p_at timestamp with time zone, p_period interval) RETURNS timestamp with time zone
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select pg_catalog.date_bin(p_period, p_at, timestamptz '2000-01-01Z')
$$;

CREATE FUNCTION public.sync_next_slot(p_org uuid, p_at timestamp with time zone, p_period interval) RETURNS timestamp with time zone
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select public.sync_period(p_at, p_period) + p_period + public.sync_offset(p_org, p_period)
$$;

CREATE FUNCTION public.settle_org_sync(p_org uuid, p_job text, p_run bigint, p_status text, p_error text, p_counts jsonb, p_results jsonb) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION public.sync_run_key(p_job text, p_org uuid, p_mode text, p_kind text, p_at timestamp with time zone, p_seq integer DEFAULT 1, p_delivery integer DEFAULT 1) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select 'odoo:' || p_job || case when p_mode = 'full' then ':full' else '' end || ':' ||
    case when p_kind = 'all' then ''
      else case when p_kind in ('manual', 'service') then p_kind else 'org' end || ':' ||
        p_org::text || ':' end ||
    pg_catalog.to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') ||
    case when p_seq > 1 then ':' || p_seq else '' end ||
    case when p_delivery > 1 then ':r' || p_delivery else '' end
$$;

CREATE FUNCTION public.claim_org_sync(p_worker bigint) RETURNS TABLE(run_id bigint, org_id uuid, mode text, idempotency_key text, deadline_ms integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION public.claim_org_sync_now(p_org uuid, p_job text, p_mode text, p_kind text DEFAULT 'manual'::text) RETURNS TABLE(run_id bigint, idempotency_key text, outcome text, previous_status text, deadline_ms integer, scheduled_for timestamp with time zone)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION public.claim_sync_pass(p_job text, p_mode text, p_scheduled_for timestamp with time zone DEFAULT NULL::timestamp with time zone) RETURNS TABLE(run_id bigint, idempotency_key text, outcome text, previous_status text, scheduled_for timestamp with time zone)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION public.fail_org_sync(p_run bigint, p_error text, p_counts jsonb DEFAULT NULL::jsonb, p_results jsonb DEFAULT NULL::jsonb) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION public.finish_org_sync(p_run bigint, p_status text, p_counts jsonb DEFAULT NULL::jsonb, p_results jsonb DEFAULT NULL::jsonb, p_note text DEFAULT NULL::text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION public.start_sync_worker(p_job text, p_worker bigint DEFAULT NULL::bigint) RETURNS TABLE(worker_id bigint, budget_ms integer, org_deadline_ms integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION public.wake_sync_workers(p_job text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
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
$_$;

CREATE FUNCTION public.stop_sync_worker(p_worker bigint, p_relay boolean DEFAULT false) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION public.sync_next_full_refresh(p_org_id uuid, p_after timestamp with time zone, p_every interval) RETURNS timestamp with time zone
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select pg_catalog.date_bin(p_every, p_after, timestamptz '2000-01-01 00:00:00+00'
    + pg_catalog.make_interval(secs => (pg_catalog.hashtextextended(p_org_id::text, 0)
      & 9223372036854775807) % greatest(extract(epoch from p_every)::bigint, 1))) + p_every
$$;

CREATE FUNCTION public.sync_full_refresh_due(p_org_id uuid, p_job text, p_now timestamp with time zone DEFAULT now()) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select coalesce((
    select c.refresh_after_id is not null
      or public.sync_next_full_refresh(p_org_id, coalesce(c.refreshed_at, c.created_at),
        coalesce(s.full_refresh_every, interval '1 day')) <= p_now
    from public.sync_cursors c
    left join public.sync_queue_settings s on s.job = p_job
    where c.org_id = p_org_id and c.job = p_job), false)
$$;

CREATE FUNCTION public.tick_odoo_sync(p_job text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
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
$_$;

REVOKE ALL ON FUNCTION public.claim_org_sync(p_worker bigint) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.claim_org_sync(p_worker bigint) TO service_role;

REVOKE ALL ON FUNCTION public.claim_org_sync_now(p_org uuid, p_job text, p_mode text, p_kind text) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.claim_org_sync_now(p_org uuid, p_job text, p_mode text, p_kind text) TO service_role;

REVOKE ALL ON FUNCTION public.claim_sync_pass(p_job text, p_mode text, p_scheduled_for timestamp with time zone) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.claim_sync_pass(p_job text, p_mode text, p_scheduled_for timestamp with time zone) TO service_role;

REVOKE ALL ON FUNCTION public.fail_org_sync(p_run bigint, p_error text, p_counts jsonb, p_results jsonb) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.fail_org_sync(p_run bigint, p_error text, p_counts jsonb, p_results jsonb) TO service_role;

REVOKE ALL ON FUNCTION public.finish_org_sync(p_run bigint, p_status text, p_counts jsonb, p_results jsonb, p_note text) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.finish_org_sync(p_run bigint, p_status text, p_counts jsonb, p_results jsonb, p_note text) TO service_role;

REVOKE ALL ON FUNCTION public.settle_org_sync(p_org uuid, p_job text, p_run bigint, p_status text, p_error text, p_counts jsonb, p_results jsonb) FROM PUBLIC, anon, authenticated, service_role;

REVOKE ALL ON FUNCTION public.start_sync_worker(p_job text, p_worker bigint) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.start_sync_worker(p_job text, p_worker bigint) TO service_role;

REVOKE ALL ON FUNCTION public.stop_sync_worker(p_worker bigint, p_relay boolean) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.stop_sync_worker(p_worker bigint, p_relay boolean) TO service_role;

REVOKE ALL ON FUNCTION public.sync_full_refresh_due(p_org_id uuid, p_job text, p_now timestamp with time zone) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.sync_full_refresh_due(p_org_id uuid, p_job text, p_now timestamp with time zone) TO service_role;

REVOKE ALL ON FUNCTION public.sync_next_full_refresh(p_org_id uuid, p_after timestamp with time zone, p_every interval) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.sync_next_full_refresh(p_org_id uuid, p_after timestamp with time zone, p_every interval) TO service_role;

REVOKE ALL ON FUNCTION public.sync_next_slot(p_org uuid, p_at timestamp with time zone, p_period interval) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.sync_next_slot(p_org uuid, p_at timestamp with time zone, p_period interval) TO service_role;

REVOKE ALL ON FUNCTION public.sync_offset(p_org uuid, p_period interval) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.sync_offset(p_org uuid, p_period interval) TO service_role;

REVOKE ALL ON FUNCTION public.sync_period(p_at timestamp with time zone, p_period interval) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.sync_period(p_at timestamp with time zone, p_period interval) TO service_role;

REVOKE ALL ON FUNCTION public.sync_run_key(p_job text, p_org uuid, p_mode text, p_kind text, p_at timestamp with time zone, p_seq integer, p_delivery integer) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.sync_run_key(p_job text, p_org uuid, p_mode text, p_kind text, p_at timestamp with time zone, p_seq integer, p_delivery integer) TO service_role;

REVOKE ALL ON FUNCTION public.tick_odoo_sync(p_job text) FROM PUBLIC, anon, authenticated, service_role;

REVOKE ALL ON FUNCTION public.wake_sync_workers(p_job text) FROM PUBLIC, anon, authenticated, service_role;
