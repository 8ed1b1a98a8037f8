-- The watchdog's call check (edge_guard.check_calls, first fixed in
-- ..._watchdog_timeouts.sql, over the queue in ..._watchdog_scale.sql) reports
-- a call that pg_net timed out: a timeout has status_code NULL, which no
-- exemption may swallow. A sync job's call is a worker's wake-up, answered 202
-- at once (docs/fanout.md), so its timeout means the function did not answer at
-- all, whatever runs its workers finish: the detail is the plain timeout.
-- Runs as the non-superuser postgres; rolls back.
begin isolation level repeatable read;
create extension if not exists pgtap;
select plan(3);

delete from public.cron_http_requests;
delete from public.edge_guard_call_outcomes;
insert into public.organizations (id, name)
values ('d0000000-0000-4000-8000-00000000000d', 'Slow Odoo');

-- pg_net gave up on the wake-up (timed_out, no status); a worker still finished a run.
insert into public.sync_runs (idempotency_key, integration, job, scheduled_for, started_at,
  finished_at, status, org_id)
values ('odoo:crm:org:d:timeout', 'odoo', 'crm', now(), now(), now() + interval '3 minutes',
  'succeeded', 'd0000000-0000-4000-8000-00000000000d');
insert into public.cron_http_requests (request_id, job_name, function_name, created_at)
values (-8001, 'odoo-crm-sync-incremental', 'odoo-crm-sync', now());
insert into net._http_response (id, status_code, timed_out, error_msg, created)
values (-8001, null, true, 'Timeout of 5000 ms reached', now());

select is((select count(*)::int from public.edge_guard_findings()
  where check_id = 'http_call_failed' and subject = 'odoo-crm-sync-incremental'), 1,
  'a timed-out wake-up is reported although a run finished');
select matches((select detail from public.edge_guard_findings()
  where check_id = 'http_call_failed' and subject = 'odoo-crm-sync-incremental'),
  '^1 timeout in its latest run',
  'the detail is the plain timeout: a wake-up has no run of its own');

-- Another job's call says the same.
insert into public.cron_http_requests (request_id, job_name, function_name, created_at)
values (-8002, 'check-sla-breaches', 'check-sla-breaches', now());
insert into net._http_response (id, status_code, timed_out, error_msg, created)
values (-8002, null, true, 'Timeout of 30000 ms reached', now());
select matches((select detail from public.edge_guard_findings()
  where check_id = 'http_call_failed' and subject = 'check-sla-breaches'),
  '^1 timeout in its latest run',
  'another job reports the plain timeout');

select * from finish();
rollback;
