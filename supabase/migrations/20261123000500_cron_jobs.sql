-- pg_cron jobs that call the edge functions.
-- Safe to run more than once, on a real Supabase project and on the local stack.
--
-- Every job reads the project URL and the service role key from Vault at run
-- time (secrets `project_url` and `service_role_key`; docs/database.md, "Vault
-- secrets the cron jobs need"), so no command holds a key or a URL. If a secret is missing the request fails
-- (null url) and the failure is visible in cron.job_run_details.
--
-- Every job also records the pg_net request id with its job and function name
-- in public.cron_http_requests (..._cron_http_requests.sql), so a 401 in
-- net._http_response can be traced to the job that caused it (`./dev
-- doctor`). The daily `edge-guard-housekeeping` job keeps 7 days of those rows.
--
-- The earlier hand-made jobs sent the anon key as a literal bearer token (the
-- sync functions answered 401 for months). Any job that calls /functions/v1/
-- with a literal key (a JWT `eyJ...` or an `sb_publishable_`/`sb_secret_` key)
-- is removed first.

-- As in the Supabase docs; a no-op where the dashboard already enabled it.
create extension if not exists pg_cron with schema pg_catalog;

-- pg_net exists on Supabase (and is enabled here if missing, as postgres through
-- supautils); the local stack runs the same extension.
do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'pg_net') then
    create extension if not exists pg_net with schema extensions;
  end if;
end
$$;

do $$
declare
  j record;
  -- format() arguments: 1 job name, 2 function name, 3 body, 4 timeout (ms).
  -- "on conflict": pg_net request ids restart if the extension is re-created;
  -- a stale row must never make the job (and its request) fail.
  fn_call text := $cmd$insert into public.cron_http_requests (request_id, job_name, function_name)
  select net.http_post(
    url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url')
      || '/functions/v1/%2$s',
    headers := jsonb_build_object(
      'Content-Type', 'application/json',
      'Authorization', 'Bearer ' || (
        select decrypted_secret from vault.decrypted_secrets where name = 'service_role_key')
    ),
    body := %3$s,
    timeout_milliseconds := %4$s
  ), %1$L, %2$L
  on conflict (request_id) do update
    set job_name = excluded.job_name, function_name = excluded.function_name,
      created_at = excluded.created_at;$cmd$;
  sync_body text := $b$jsonb_build_object('mode', 'incremental', 'scheduled_for', date_trunc('minute', now()))$b$;
  tick_body text := $b$jsonb_build_object('scheduled_for', date_trunc('minute', now()))$b$;
begin
  -- cron.unschedule raises for a missing job, so only existing ids are passed.
  -- On Supabase postgres is not a superuser: pg_cron lets it unschedule only
  -- its own jobs, and raising here would abort the whole migration. Jobs of
  -- other roles are reported instead (the watchdog and the doctor flag them).
  for j in
    select jobid, coalesce(jobname, 'jobid ' || jobid) as name, username from cron.job
    where command like '%/functions/v1/%'
      and command ~ '(eyJ[A-Za-z0-9_-]{10,}|sb_(publishable|secret)_)'
  loop
    if j.username = current_user then
      perform cron.unschedule(j.jobid);
    else
      raise warning 'cron job % (owned by %) sends a literal key and is not ours to unschedule; '
        'its owner must remove it (the watchdog alerts on it)', j.name, j.username;
    end if;
  end loop;
  for j in
    select jobname, username from cron.job
    where username <> current_user and jobname in ('odoo-crm-sync-incremental',
      'odoo-chatter-sync-incremental', 'bot-scheduler', 'check-sla-breaches', 'edge-guard-housekeeping')
  loop
    raise warning 'cron job % is owned by %, so this migration cannot replace it; a job of that '
      'name owned by % is scheduled too', j.jobname, j.username, current_user;
  end loop;

  -- cron.schedule with a name replaces the command of an existing job of that name.
  -- The two sync jobs are defined once, by public.schedule_odoo_sync_jobs()
  -- (..._sync_queue_tick.sql); re-running this file keeps that definition.
  if to_regprocedure('public.schedule_odoo_sync_jobs()') is not null then
    perform public.schedule_odoo_sync_jobs();
  else
    perform cron.schedule('odoo-crm-sync-incremental', '*/15 * * * *',
      format(fn_call, 'odoo-crm-sync-incremental', 'odoo-crm-sync', sync_body, 120000));
    perform cron.schedule('odoo-chatter-sync-incremental', '5-59/15 * * * *',
      format(fn_call, 'odoo-chatter-sync-incremental', 'odoo-chatter-sync', sync_body, 120000));
  end if;
  perform cron.schedule('bot-scheduler', '* * * * *',
    format(fn_call, 'bot-scheduler', 'bot-scheduler', tick_body, 120000));
  perform cron.schedule('check-sla-breaches', '*/5 * * * *',
    format(fn_call, 'check-sla-breaches', 'check-sla-breaches', tick_body, 30000));

  -- Retention for the request log above; calls no function.
  perform cron.schedule('edge-guard-housekeeping', '17 3 * * *',
    $cmd$delete from public.cron_http_requests where created_at < now() - interval '7 days';$cmd$);
end
$$;
