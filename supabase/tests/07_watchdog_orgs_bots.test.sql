-- The watchdog's per-organization and per-bot checks (..._watchdog_run_checks.sql):
-- with the sync queue, a tenant's failing Odoo alerts on that organization
-- (sync_org_state), never on the job, while failed wake-up calls alert on the
-- job; a bot whose last runs all failed alerts on that bot. Runs as the non-superuser postgres;
-- rolls back.
begin isolation level repeatable read;
create extension if not exists pgtap;
select plan(9);

insert into public.organizations (id, name)
values ('d0000000-0000-4000-8000-00000000000d', 'Broken Odoo'),
  ('e0000000-0000-4000-8000-00000000000e', 'Fine');

-- A wake-up call of the sync queue answers 202 at once (docs/fanout.md): a
-- tenant's failure never reaches pg_net, so any failed answer is the job's.
insert into public.cron_http_requests (request_id, job_name, function_name, created_at)
values (-7001, 'odoo-crm-sync-incremental', 'odoo-crm-sync', now());
insert into net._http_response (id, status_code, created) values (-7001, 202, now());
select is((select count(*)::int from public.edge_guard_findings()
  where check_id = 'http_call_failed' and subject = 'odoo-crm-sync-incremental'), 0,
  'a wake-up answered 202 is not a failure');
update net._http_response set status_code = 502 where id = -7001;
select is((select count(*)::int from public.edge_guard_findings()
  where check_id = 'http_call_failed' and subject = 'odoo-crm-sync-incremental'), 1,
  'a wake-up answered 5xx is the job''s failure (the function never started its worker)');
update net._http_response set status_code = null, timed_out = true where id = -7001;
select is((select count(*)::int from public.edge_guard_findings()
  where check_id = 'http_call_failed' and subject = 'odoo-crm-sync-incremental'), 1,
  'a wake-up that timed out is the job''s failure');

-- Per organization, from the queue's record (sync_org_state).
delete from public.sync_org_state;
insert into public.sync_org_state (org_id, job, last_finished_at, last_status, last_error,
  consecutive_failures, next_attempt_at)
values ('d0000000-0000-4000-8000-00000000000d', 'crm', now(), 'failed', 'odoo_timeout', 1,
  now() + interval '15 minutes'),
  ('e0000000-0000-4000-8000-00000000000e', 'crm', now(), 'succeeded', null, 0, null);
select is((select count(*)::int from public.edge_guard_findings() where check_id = 'org_sync_failing'),
  0, 'one timeout is not an alert');
update public.sync_org_state set consecutive_failures = 2, next_attempt_at = now() + interval '1 hour'
where org_id = 'd0000000-0000-4000-8000-00000000000d';
select results_eq(
  $$select subject, detail like 'crm failed 2 times in a row (odoo_timeout), next try %'
    from public.edge_guard_findings() where check_id = 'org_sync_failing'$$,
  $$values ('org:d0000000-0000-4000-8000-00000000000d'::text, true)$$,
  'two failures in a row open one alert on that organization, naming the job and next try');
update public.sync_org_state set consecutive_failures = 1, last_error = 'odoo_auth_failed'
where org_id = 'd0000000-0000-4000-8000-00000000000d';
select is((select count(*)::int from public.edge_guard_findings() where check_id = 'org_sync_failing'
  and subject = 'org:d0000000-0000-4000-8000-00000000000d'), 1,
  'a refused Odoo key alerts at once: no retry will fix it');
select is((select count(*)::int from public.edge_guard_findings()
  where check_id = 'org_sync_failing' and subject = 'org:e0000000-0000-4000-8000-00000000000e'), 0,
  'a healthy organization has no alert');

-- A bot whose last runs (failing_runs, default 3) all failed.
insert into public.bots (id, org_id, name, webhook_url)
values ('b0000000-0000-4000-8000-00000000000b', 'e0000000-0000-4000-8000-00000000000e', 'Flaky',
  'https://hooks.invalid/x');
insert into public.bot_runs (bot_id, org_id, scheduled_minute, status, started_at)
select 'b0000000-0000-4000-8000-00000000000b', 'e0000000-0000-4000-8000-00000000000e',
  date_trunc('minute', now()) - make_interval(mins => n), s, now() - make_interval(mins => n)
from (values (1, 'failed'), (2, 'failed'), (3, 'succeeded')) v(n, s);
select is((select count(*)::int from public.edge_guard_findings() where check_id = 'bot_keeps_failing'),
  0, 'two failures after a success is not yet a bot that keeps failing');
insert into public.bot_runs (bot_id, org_id, scheduled_minute, status, started_at)
values ('b0000000-0000-4000-8000-00000000000b', 'e0000000-0000-4000-8000-00000000000e',
  date_trunc('minute', now()), 'failed', now());
select results_eq(
  $$select subject, severity from public.edge_guard_findings() where check_id = 'bot_keeps_failing'$$,
  $$values ('bot:b0000000-0000-4000-8000-00000000000b'::text, 'warn'::text)$$,
  'three failed runs in a row: the bot keeps failing');

select * from finish();
rollback;
