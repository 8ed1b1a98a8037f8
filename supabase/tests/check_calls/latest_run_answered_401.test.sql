-- edge_guard.check_calls (supabase/schemas/3400_functions_watchdog_checks.sql):
-- a cron job whose latest run was answered 401 is http_auth_rejected on the
-- job; once its latest run answers 200 it is not. Runs as the non-superuser
-- postgres; rolls back.
begin isolation level repeatable read;
create extension if not exists pgtap;
select plan(2);

delete from public.edge_guard_call_outcomes where job_name = 'odoo-crm-sync-incremental';
delete from public.cron_http_requests where job_name = 'odoo-crm-sync-incremental';
insert into public.cron_http_requests (request_id, job_name, function_name, created_at)
values (-8010, 'odoo-crm-sync-incremental', 'odoo-crm-sync', now() - interval '3 minutes');
insert into net._http_response (id, status_code, content, created)
values (-8010, 401, '{"error":"invalid_token"}', now() - interval '3 minutes');
select results_eq(
  $$select check_id, severity, detail like '1 call of its latest run % answered 401%'
    from edge_guard.check_calls() where subject = 'odoo-crm-sync-incremental'$$,
  $$values ('http_auth_rejected'::text, 'error'::text, true)$$,
  'a 401 in the latest run is one error on the job');
insert into public.cron_http_requests (request_id, job_name, function_name, created_at)
values (-8011, 'odoo-crm-sync-incremental', 'odoo-crm-sync', now() - interval '1 minute');
insert into net._http_response (id, status_code, created)
values (-8011, 200, now() - interval '1 minute');
select is((select count(*)::int from edge_guard.check_calls() where subject = 'odoo-crm-sync-incremental'),
  0, 'a later run answered 200 is healthy');

select * from finish();
rollback;
