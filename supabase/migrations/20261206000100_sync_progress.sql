-- The sync always moves forward (issue 25, docs/odoo-sync.md): where each
-- organization's walk stands between runs, how many runs in a row made no
-- progress (the watchdog's org_sync_stalled reads it), and a scheduled full
-- refresh per organization, spread over the cadence by a hash of its id.
-- Safe to run more than once, on a real Supabase project (as the non-superuser
-- postgres) and on the local stack.

-- Written by the sync functions (supabase/functions/_shared/_odoo-sync/
-- progress.ts and refresh.ts), page by page in the page's transaction.
alter table public.sync_cursors add column if not exists pass_write_date timestamptz;
alter table public.sync_cursors add column if not exists pass_id bigint;
alter table public.sync_cursors add column if not exists pass_started_at timestamptz;
alter table public.sync_cursors add column if not exists refresh_after_id bigint;
alter table public.sync_cursors add column if not exists refresh_started_at timestamptz;
alter table public.sync_cursors add column if not exists refreshed_at timestamptz;
alter table public.sync_cursors add column if not exists stalled_runs integer not null default 0;
alter table public.sync_cursors add column if not exists progressed_at timestamptz;
-- Rows that exist when this runs get the same time: their first scheduled full
-- refresh is their own slot within the next cadence, not all at once.
alter table public.sync_cursors add column if not exists created_at timestamptz not null default now();
comment on column public.sync_cursors.pass_write_date is
  'With pass_id: where the unfinished incremental pass continues (null: the last pass ended).';
comment on column public.sync_cursors.pass_started_at is
  'When the unfinished (or the last) pass started; the next pass re-reads the overlap before it.';
comment on column public.sync_cursors.refresh_after_id is
  'Last id stored by the unfinished full refresh (null: none in progress).';
comment on column public.sync_cursors.refreshed_at is
  'When the last finished full refresh started (null: never).';
comment on column public.sync_cursors.stalled_runs is
  'Runs in a row that neither finished their work nor stored a page (the watchdog: org_sync_stalled).';

-- How often each organization's values are all read again (the dispatcher
-- sends mode "full" when public.sync_full_refresh_due says so).
alter table public.sync_dispatch_settings
  add column if not exists full_refresh_every interval not null default interval '1 day';
alter table public.sync_dispatch_settings drop constraint if exists sync_dispatch_settings_refresh_check;
alter table public.sync_dispatch_settings add constraint sync_dispatch_settings_refresh_check
  check (full_refresh_every >= interval '1 hour' and full_refresh_every <= interval '30 days'
    and extract(month from full_refresh_every) = 0);

-- The organization's first full-refresh slot strictly after p_after: slots are
-- p_every apart, shifted by a per-organization offset in [0, p_every) taken
-- from a hash of its id, so 10,000 organizations are spread evenly over the
-- cadence instead of all falling at midnight.
create or replace function public.sync_next_full_refresh(
  p_org_id uuid, p_after timestamptz, p_every interval)
returns timestamptz
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.date_bin(p_every, p_after, timestamptz '2000-01-01 00:00:00+00'
    + pg_catalog.make_interval(secs => (pg_catalog.hashtextextended(p_org_id::text, 0)
      & 9223372036854775807) % greatest(extract(epoch from p_every)::bigint, 1))) + p_every
$$;

-- THE decision "is a full refresh due for this organization and job": one
-- is in progress (continue it), or the organization's slot after its last
-- refresh (or after its first sync, if it never had one) has come. Nothing
-- synced yet: not due (the first sync reads everything anyway). The
-- dispatcher calls it for each organization it sends; a later fan-out can
-- call it the same way.
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
    left join public.sync_dispatch_settings s on s.job = p_job
    where c.org_id = p_org_id and c.job = p_job), false)
$$;

revoke all on function public.sync_next_full_refresh(uuid, timestamptz, interval)
  from public, anon, authenticated;
revoke all on function public.sync_full_refresh_due(uuid, text, timestamptz)
  from public, anon, authenticated;
grant execute on function public.sync_next_full_refresh(uuid, timestamptz, interval) to service_role;
grant execute on function public.sync_full_refresh_due(uuid, text, timestamptz) to service_role;

-- The dispatcher of ..._sync_dispatcher.sql, unchanged but for the body's
-- mode: "full" when public.sync_full_refresh_due says so.
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

revoke all on function public.dispatch_odoo_sync(text, timestamptz, integer)
  from public, anon, authenticated, service_role;
grant execute on function public.dispatch_odoo_sync(text, timestamptz, integer) to service_role;
