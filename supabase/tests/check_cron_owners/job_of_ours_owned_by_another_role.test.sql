-- edge_guard.check_cron_owners (supabase/schemas/3400_functions_watchdog_checks.sql):
-- a job named like one of ours but owned by another role is a
-- cron_job_foreign_owner warning naming job and owner; ours (owned by postgres)
-- are not. Runs as the non-superuser postgres; the foreign job is scheduled as
-- service_role under grants made inside the transaction; rolls back.
begin;
create extension if not exists pgtap;
select plan(2);

select is((select count(*)::int from edge_guard.check_cron_owners()), 0,
  'the project''s own jobs, owned by postgres, are not found');
grant usage on schema cron to service_role;
grant execute on function cron.schedule(text, text, text) to service_role;
set local role service_role;
select cron.schedule('edge-guard-watchdog', '0 3 1 1 *', 'select 1');
reset role;
select results_eq(
  $$select check_id, subject, severity from edge_guard.check_cron_owners()$$,
  $$values ('cron_job_foreign_owner'::text, 'edge-guard-watchdog (service_role)'::text, 'warn'::text)$$,
  'a job of ours owned by another role is one warning naming it and its owner');

select * from finish();
rollback;
