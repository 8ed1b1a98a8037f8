-- A message whose workers died max_deliveries times fails its organization
-- (run_lost, with backoff) instead of killing workers forever.
begin;
create extension if not exists pgtap;
select plan(3);
\ir ../_support/sync_queue_setup.sql
update public.sync_queue_settings set max_workers = 0, max_deliveries = 2 where job = 'crm';
delete from public.integration_credentials where org_id in (select id from orgs where g > 1);
select public.tick_odoo_sync('crm');
insert into public.sync_workers (job, lease_until) values ('crm', now() + interval '1 minute');
create temp table w as select max(id) as id from public.sync_workers;
select * from public.claim_org_sync((select id from w));
update pgmq.q_odoo_sync_crm set vt = now() - interval '1 second';
select * from public.claim_org_sync((select id from w));
update pgmq.q_odoo_sync_crm set vt = now() - interval '1 second';
select is_empty($$select * from public.claim_org_sync((select id from w))$$,
  'the third delivery is not handed out');
select results_eq($$select consecutive_failures, last_error from public.sync_org_state
    where job = 'crm' and org_id = (select id from orgs where g = 1)$$,
  $$values (1, 'run_lost'::text)$$, 'the organization failed with run_lost');
select is((select count(*)::int from pgmq.a_odoo_sync_crm), 1, 'its message is archived');

select * from finish();
rollback;
