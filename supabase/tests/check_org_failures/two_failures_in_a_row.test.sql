-- edge_guard.check_org_failures (supabase/schemas/3400_functions_watchdog_checks.sql):
-- two failures in a row of an organization's job is org_sync_failing on that
-- organization, naming job, error and next try; one timeout is not.
-- Runs as the non-superuser postgres; rolls back.
begin;
create extension if not exists pgtap;
select plan(2);

insert into public.organizations (id, name) values ('d1000000-0000-4000-8000-0000000000d1', 'Broken Odoo');
insert into public.sync_org_state (org_id, job, last_finished_at, last_status, last_error,
  consecutive_failures, next_attempt_at)
values ('d1000000-0000-4000-8000-0000000000d1', 'crm', now(), 'failed', 'odoo_timeout', 1,
  now() + interval '15 minutes');
select is((select count(*)::int from edge_guard.check_org_failures()
  where subject = 'org:d1000000-0000-4000-8000-0000000000d1'), 0, 'one timeout is not a finding');
update public.sync_org_state set consecutive_failures = 2
where org_id = 'd1000000-0000-4000-8000-0000000000d1';
select results_eq(
  $$select check_id, detail like 'crm failed 2 times in a row (odoo_timeout), next try %'
    from edge_guard.check_org_failures() where subject = 'org:d1000000-0000-4000-8000-0000000000d1'$$,
  $$values ('org_sync_failing'::text, true)$$, 'two failures in a row are found, naming job and next try');

select * from finish();
rollback;
