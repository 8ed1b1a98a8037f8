-- pg_cron and pg_net, which the cron jobs need.
-- Safe to run more than once, on a real Supabase project and on the local stack.
--
-- The jobs themselves are defined once, by public.edge_guard_schedule_jobs()
-- (..._cron_jobs_defined_once.sql; docs/database.md, "Cron jobs"). This file
-- used to schedule them itself, so re-running it (the doctor's old advice after
-- the seed incident) put back its older commands. Now it only calls that
-- function when it exists: on a new database the jobs are scheduled by the
-- migration that defines it, and re-running this file changes no job.
--
-- What the jobs do:
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
begin
  if to_regprocedure('public.edge_guard_schedule_jobs()') is not null then
    perform public.edge_guard_schedule_jobs();
  end if;
end
$$;
