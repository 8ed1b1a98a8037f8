-- edge_guard.check_cron_owners: "one of ours" is edge_guard.cron_job_names(),
-- the one list the cron jobs are defined by, so every job is covered; the
-- check's own copy of the list used to lack edge-guard-prune, and a prune job
-- owned by another role went unreported. Rolls back.
begin;
create extension if not exists pgtap;
select plan(2);

select is((select array_agg(jobname::text order by jobname) from cron.job where username = current_user),
  (select array_agg(n order by n) from unnest(edge_guard.cron_job_names()) n),
  'the list names exactly the jobs edge_guard_schedule_jobs() schedules');
grant usage on schema cron to service_role;
grant execute on function cron.schedule(text, text, text) to service_role;
set local role service_role;
select cron.schedule('edge-guard-prune', '0 3 1 1 *', 'select 1');
reset role;
select results_eq(
  $$select check_id, subject from edge_guard.check_cron_owners()$$,
  $$values ('cron_job_foreign_owner'::text, 'edge-guard-prune (service_role)'::text)$$,
  'a foreign-owned edge-guard-prune is reported');

select * from finish();
rollback;
