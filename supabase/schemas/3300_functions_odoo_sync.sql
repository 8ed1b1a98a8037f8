-- supabase/schemas/3300_functions_odoo_sync.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE FUNCTION public.sync_due_orgs(p_job text, p_now timestamp with time zone, p_limit integer) RETURNS TABLE(org_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
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
    left join public.sync_dispatch_settings s on s.job = p_job
    where c.org_id = p_org_id and c.job = p_job), false)
$$;

CREATE FUNCTION public.sync_in_flight(p_job text) RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select count(*)::integer from public.sync_runs r
  where r.job = p_job and r.org_id is not null and r.status in ('queued', 'running')
    and (r.request_id is null
      or not exists (select 1 from net._http_response h where h.id = r.request_id))
$$;

CREATE FUNCTION public.sync_reap_runs(p_job text, p_now timestamp with time zone DEFAULT now()) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

CREATE FUNCTION public.dispatch_odoo_sync(p_job text, p_now timestamp with time zone DEFAULT now(), p_limit integer DEFAULT NULL::integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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
      body := jsonb_build_object('org_id', v_org, 'mode', case
        when public.sync_full_refresh_due(v_org, p_job, p_now) then 'full' else 'incremental' end,
        'scheduled_for', v_at),
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

REVOKE ALL ON FUNCTION public.dispatch_odoo_sync(p_job text, p_now timestamp with time zone, p_limit integer) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.dispatch_odoo_sync(p_job text, p_now timestamp with time zone, p_limit integer) TO service_role;

REVOKE ALL ON FUNCTION public.sync_due_orgs(p_job text, p_now timestamp with time zone, p_limit integer) FROM PUBLIC, anon, authenticated, service_role;

REVOKE ALL ON FUNCTION public.sync_full_refresh_due(p_org_id uuid, p_job text, p_now timestamp with time zone) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.sync_full_refresh_due(p_org_id uuid, p_job text, p_now timestamp with time zone) TO service_role;

REVOKE ALL ON FUNCTION public.sync_in_flight(p_job text) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.sync_in_flight(p_job text) TO service_role;

REVOKE ALL ON FUNCTION public.sync_next_full_refresh(p_org_id uuid, p_after timestamp with time zone, p_every interval) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.sync_next_full_refresh(p_org_id uuid, p_after timestamp with time zone, p_every interval) TO service_role;

REVOKE ALL ON FUNCTION public.sync_reap_runs(p_job text, p_now timestamp with time zone) FROM PUBLIC, anon, authenticated, service_role;
