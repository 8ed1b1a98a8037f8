-- The watchdog's call check (edge_guard.check_calls, ..._watchdog_timeouts.sql)
-- reports a dispatched call that pg_net timed out whether or not its run
-- finished later (the function outlived request_timeout_ms), and says which:
-- a timeout has status_code NULL, which the 5xx exemption must not swallow.
-- Runs as the non-superuser postgres; rolls back.
begin isolation level repeatable read;
create extension if not exists pgtap;
select plan(4);

delete from public.cron_http_requests;
delete from public.edge_guard_call_outcomes;
insert into public.organizations (id, name)
values ('d0000000-0000-4000-8000-00000000000d', 'Slow Odoo');

-- pg_net gave up on the call (timed_out, no status); the function went on and
-- finished the organization's run afterwards.
insert into public.sync_runs (idempotency_key, integration, job, scheduled_for, started_at,
  finished_at, status, org_id, dispatched_at, request_id)
values ('odoo:crm:org:d:timeout', 'odoo', 'crm', now(), now(), now() + interval '3 minutes',
  'succeeded', 'd0000000-0000-4000-8000-00000000000d', now(), -8001);
insert into public.cron_http_requests (request_id, job_name, function_name, created_at)
values (-8001, 'odoo-crm-sync-incremental', 'odoo-crm-sync', now());
insert into net._http_response (id, status_code, timed_out, error_msg, created)
values (-8001, null, true, 'Timeout of 120000 ms reached', now());

select is((select count(*)::int from public.edge_guard_findings()
  where check_id = 'http_call_failed' and subject = 'odoo-crm-sync-incremental'), 1,
  'a timed-out call is reported although its run finished later');
select matches((select detail from public.edge_guard_findings()
  where check_id = 'http_call_failed' and subject = 'odoo-crm-sync-incremental'),
  '^1 timeout \(its run finished after pg_net gave up\)',
  'the detail says the run finished after the timeout');

-- The same call while its run has not finished.
update public.sync_runs set status = 'running', finished_at = null where request_id = -8001;
select matches((select detail from public.edge_guard_findings()
  where check_id = 'http_call_failed' and subject = 'odoo-crm-sync-incremental'),
  '^1 timeout \(its run has not finished\)',
  'the detail says the run has not finished');

-- A call without a dispatched run (another job) says neither.
insert into public.cron_http_requests (request_id, job_name, function_name, created_at)
values (-8002, 'check-sla-breaches', 'check-sla-breaches', now());
insert into net._http_response (id, status_code, timed_out, error_msg, created)
values (-8002, null, true, 'Timeout of 30000 ms reached', now());
select matches((select detail from public.edge_guard_findings()
  where check_id = 'http_call_failed' and subject = 'check-sla-breaches'),
  '^1 timeout in its latest run',
  'a job without dispatched runs reports the plain timeout');

select * from finish();
rollback;
