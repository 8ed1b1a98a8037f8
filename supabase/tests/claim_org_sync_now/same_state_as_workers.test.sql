-- "Sync now" goes through the same state as the workers: refused (busy) while
-- a worker holds the organization; while it holds it, a worker steps around
-- its message (made invisible until the lease ends) instead of syncing twice.
begin;
create extension if not exists pgtap;
select plan(4);
\ir ../_support/sync_queue_setup.sql
update public.sync_queue_settings set max_workers = 0 where job = 'crm';
delete from public.integration_credentials where org_id in (select id from orgs where g > 2);
select public.tick_odoo_sync('crm');
insert into public.sync_workers (job, lease_until) values ('crm', now() + interval '1 minute');
create temp table c as select * from public.claim_org_sync((select max(id) from public.sync_workers));
select is((select outcome from public.claim_org_sync_now((select org_id from c), 'crm', 'incremental')),
  'busy', 'sync now of an organization a worker holds is busy');
create temp table other as select (select id from orgs where g in (1, 2) and id <> (select org_id from c)) as id;
select is((select outcome from public.claim_org_sync_now((select id from other), 'crm', 'incremental')),
  'claimed', 'sync now of the other organization is claimed inline');
select is_empty($$select * from public.claim_org_sync((select max(id) from public.sync_workers))$$,
  'a worker does not claim the organization sync now holds');
select ok((select vt > now() from pgmq.q_odoo_sync_crm where message ->> 'org_id' = (select id::text from other)),
  'its message waits for the lease to end');

select * from finish();
rollback;
