-- edge_guard.check_cron_runs (supabase/schemas/3400_functions_watchdog_checks.sql):
-- a cron job whose latest run in cron.job_run_details failed is cron_run_failed
-- on that job; a later successful run clears it. Runs as the non-superuser
-- postgres; rolls back.
begin;
create extension if not exists pgtap;
select plan(2);

do $$
begin
  perform cron.schedule('edge-guard-test-runs', '0 3 1 1 *', 'select 1');
end
$$;
insert into cron.job_run_details (jobid, runid, status, start_time, end_time)
select jobid, -9001, 'failed', now() - interval '10 minutes', now() - interval '10 minutes'
from cron.job where jobname = 'edge-guard-test-runs';
select results_eq(
  $$select check_id, severity, detail like 'its latest run % failed; 1 run failed in the last day%'
    from edge_guard.check_cron_runs(now()) where subject = 'edge-guard-test-runs'$$,
  $$values ('cron_run_failed'::text, 'error'::text, true)$$, 'a failed latest run is one error');
insert into cron.job_run_details (jobid, runid, status, start_time, end_time)
select jobid, -9002, 'succeeded', now() - interval '5 minutes', now() - interval '5 minutes'
from cron.job where jobname = 'edge-guard-test-runs';
select is((select count(*)::int from edge_guard.check_cron_runs(now()) where subject = 'edge-guard-test-runs'),
  0, 'a later successful run clears it');

select * from finish();
rollback;
