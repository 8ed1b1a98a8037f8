-- public.claim_org_sync_now: the run row says who started it
-- (sync_runs.started_by): `admin` for an integration admin's "sync now",
-- `service` for a service call naming the organization; a queue worker's run
-- (claim_org_sync) is `schedule`.
begin;
create extension if not exists pgtap;
select plan(3);
\ir ../_support/sync_queue_setup.sql
update public.sync_queue_settings set max_workers = 0 where job = 'crm';
delete from public.integration_credentials where org_id in (select id from orgs where g > 3);
select public.tick_odoo_sync('crm');
insert into public.sync_workers (job, lease_until) values ('crm', now() + interval '1 minute');
create temp table w as select * from public.claim_org_sync((select max(id) from public.sync_workers));
create temp table rest as select id, row_number() over (order by g) as n from orgs
  where g <= 3 and id <> (select org_id from w);

select is((select started_by from public.sync_runs where id = (select run_id from w)), 'schedule',
  'a worker''s run');
create temp table admin as
  select * from public.claim_org_sync_now((select id from rest where n = 1), 'crm', 'incremental');
create temp table service as select * from public.claim_org_sync_now((select id from rest where n = 2),
  'crm', 'incremental', 'service');
select is((select started_by from public.sync_runs where id = (select run_id from admin)), 'admin',
  'an admin''s sync now');
select is((select started_by from public.sync_runs where id = (select run_id from service)), 'service',
  'a service call naming the organization');

select * from finish();
rollback;
