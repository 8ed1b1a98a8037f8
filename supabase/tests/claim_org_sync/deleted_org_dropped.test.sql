-- A message whose organization was deleted is dropped at claim: no run, no
-- failure, no alert; the worker moves on to the next organization.
begin;
create extension if not exists pgtap;
select plan(4);
\ir ../_support/sync_queue_setup.sql
update public.sync_queue_settings set max_workers = 0 where job = 'crm';
select public.tick_odoo_sync('crm');
delete from public.organizations where id = (select id from orgs where g = 1);
insert into public.sync_workers (job, lease_until) values ('crm', now() + interval '1 minute');

create temp table c as select * from public.claim_org_sync((select max(id) from public.sync_workers));
select isnt((select org_id from c), (select id from orgs where g = 1), 'the deleted organization is skipped');
select is((select count(*)::int from pgmq.q_odoo_sync_crm
    where message ->> 'org_id' = (select id::text from orgs where g = 1)), 0, 'its message is gone');
select is((select count(*)::int from public.sync_runs r where r.status = 'failed'), 0, 'no failed run');
select is((select count(*)::int from public.edge_guard_findings() where subject =
    'org:' || (select id::text from orgs where g = 1)), 0, 'no alert for a deleted organization');

select * from finish();
rollback;
