-- supabase/schemas/5000_cron_jobs.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE FUNCTION public.edge_guard_schedule_jobs() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $_$
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
  tick_body text := $b$jsonb_build_object('scheduled_for', date_trunc('minute', now()))$b$;
begin
  -- The seed incident: hand-made jobs sent a literal key (the anon key) to
  -- /functions/v1/. They go first. On Supabase postgres is not a superuser and
  -- pg_cron lets it unschedule only its own jobs; another role's job is
  -- reported (the watchdog and the doctor flag it) instead of aborting.
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
    where username <> current_user and jobname = any (edge_guard.cron_job_names())
  loop
    raise warning 'cron job % is owned by %, so it cannot be replaced; a job of that '
      'name owned by % is scheduled too', j.jobname, j.username, current_user;
  end loop;

  -- cron.schedule with a name replaces the schedule and command of that job.
  -- The sync on Supabase Queues: each minute the tick enqueues the due
  -- organizations and wakes workers (docs/fanout.md).
  perform cron.schedule('odoo-crm-sync-incremental', '* * * * *',
    $cmd$select public.tick_odoo_sync('crm');$cmd$);
  perform cron.schedule('odoo-chatter-sync-incremental', '* * * * *',
    $cmd$select public.tick_odoo_sync('chatter');$cmd$);
  perform cron.schedule('bot-scheduler', '* * * * *',
    format(fn_call, 'bot-scheduler', 'bot-scheduler', tick_body, 120000));
  perform cron.schedule('check-sla-breaches', '*/5 * * * *',
    format(fn_call, 'check-sla-breaches', 'check-sla-breaches', tick_body, 30000));
  -- Retention for the request log above; calls no function.
  perform cron.schedule('edge-guard-housekeeping', '17 3 * * *',
    $cmd$delete from public.cron_http_requests where created_at < now() - interval '7 days';$cmd$);
  -- The watchdog and the bounded retention pass, on the schedules their
  -- settings name (docs/watchdog.md).
  perform cron.schedule('edge-guard-watchdog',
    (select s.watchdog_schedule from public.edge_guard_settings s limit 1),
    'select public.edge_guard_watchdog();');
  perform cron.schedule('edge-guard-prune',
    (select s.prune_schedule from public.edge_guard_settings s limit 1),
    'select public.edge_guard_prune();');
end
$_$;

REVOKE ALL ON FUNCTION public.edge_guard_schedule_jobs() FROM PUBLIC, anon, authenticated, service_role;

SELECT public.edge_guard_schedule_jobs();
