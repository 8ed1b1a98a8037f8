-- Removing an organization's odoo credential drops its state and its queued
-- message, so its org_sync_failing alert resolves; adding one enrolls it due now.
begin;
create extension if not exists pgtap;
select plan(5);
\ir ../_support/sync_queue_setup.sql
update public.sync_queue_settings set max_workers = 0 where job = 'crm';
select is((select count(*)::int from public.sync_org_state where org_id in (select id from orgs)), 10,
  'five credentials enroll five organizations in both jobs, due now');
update public.sync_org_state set consecutive_failures = 3, last_error = 'odoo_auth_failed'
where org_id = (select id from orgs where g = 1);
select public.tick_odoo_sync('crm');
select is((select count(*)::int from public.edge_guard_findings()
    where check_id = 'org_sync_failing' and subject = 'org:' || (select id::text from orgs where g = 1)),
  1, 'a failing organization alerts');
delete from public.integration_credentials where org_id = (select id from orgs where g = 1);
select is((select count(*)::int from public.sync_org_state where org_id = (select id from orgs where g = 1)),
  0, 'its state is dropped');
select is((select count(*)::int from pgmq.q_odoo_sync_crm
    where message ->> 'org_id' = (select id::text from orgs where g = 1)), 0, 'its message is dropped');
select is((select count(*)::int from public.edge_guard_findings()
    where subject = 'org:' || (select id::text from orgs where g = 1)), 0, 'its alerts resolve');

select * from finish();
rollback;
