-- pg_cron jobs that call the edge functions.
-- Safe to run more than once, on a real Supabase project and on the local stack.
--
-- Every job reads the project URL and the service role key from Vault at run
-- time (secrets `project_url` and `service_role_key`, see docs/database.md), so
-- no command holds a key or a URL. If a secret is missing the request fails
-- (null url) and the failure is visible in cron.job_run_details.
--
-- The earlier hand-made jobs sent the anon key as a literal bearer token (the
-- sync functions answered 401 for months). Any job that calls /functions/v1/
-- with a literal key (a JWT `eyJ...` or an `sb_publishable_`/`sb_secret_` key)
-- is removed first.

-- As in the Supabase docs; a no-op where the dashboard already enabled it.
create extension if not exists pg_cron with schema pg_catalog;

-- pg_net exists on Supabase (and is enabled here if missing); the local stack
-- has no such extension and provides net.* through supabase/local/40_pg_net.sql.
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
  fn_call text := $cmd$select net.http_post(
    url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url')
      || '/functions/v1/%s',
    headers := jsonb_build_object(
      'Content-Type', 'application/json',
      'Authorization', 'Bearer ' || (
        select decrypted_secret from vault.decrypted_secrets where name = 'service_role_key')
    ),
    body := %s,
    timeout_milliseconds := %s
  ) as request_id;$cmd$;
  sync_body text := $b$jsonb_build_object('mode', 'incremental', 'scheduled_for', date_trunc('minute', now()))$b$;
  tick_body text := $b$jsonb_build_object('scheduled_for', date_trunc('minute', now()))$b$;
begin
  -- cron.unschedule raises for a missing job, so only existing ids are passed.
  for j in
    select jobid from cron.job
    where command like '%/functions/v1/%'
      and command ~ '(eyJ[A-Za-z0-9_-]{10,}|sb_(publishable|secret)_)'
  loop
    perform cron.unschedule(j.jobid);
  end loop;

  -- cron.schedule with a name replaces the command of an existing job of that name.
  perform cron.schedule('odoo-crm-sync-incremental', '*/15 * * * *',
    format(fn_call, 'odoo-crm-sync', sync_body, 120000));
  perform cron.schedule('odoo-chatter-sync-incremental', '5-59/15 * * * *',
    format(fn_call, 'odoo-chatter-sync', sync_body, 120000));
  perform cron.schedule('bot-scheduler', '* * * * *',
    format(fn_call, 'bot-scheduler', tick_body, 30000));
  perform cron.schedule('check-sla-breaches', '*/5 * * * *',
    format(fn_call, 'check-sla-breaches', tick_body, 30000));
end
$$;
