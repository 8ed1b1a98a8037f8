-- A worker killed mid-sync loses nothing: when its lease (the message's
-- visibility timeout) ends, the next worker claims the same organization,
-- the dead worker's run is marked run_lost, and its late finish changes nothing.
begin;
create extension if not exists pgtap;
select plan(7);
\ir ../_support/sync_queue_setup.sql
update public.sync_queue_settings set max_workers = 0 where job = 'crm';
delete from public.integration_credentials where org_id in (select id from orgs where g > 1);
select public.tick_odoo_sync('crm');
insert into public.sync_workers (job, lease_until) values ('crm', now() + interval '1 minute'),
  ('crm', now() + interval '1 minute');
create temp table w as select id, row_number() over (order by id) as n from public.sync_workers;

create temp table first_claim as select * from public.claim_org_sync((select id from w where n = 1));
select is((select count(*)::int from first_claim), 1, 'the first worker claims the organization');
select is_empty($$select * from public.claim_org_sync((select id from w where n = 2))$$,
  'while the lease runs, the message is invisible to the next worker');
-- The first worker dies; its lease ends (what pgmq.read's visibility timeout does after lease seconds).
update pgmq.q_odoo_sync_crm set vt = now() - interval '1 second';
create temp table second_claim as select * from public.claim_org_sync((select id from w where n = 2));
select results_eq($$select org_id from second_claim$$, $$select org_id from first_claim$$,
  'the next worker claims the same organization');
select isnt((select run_id from second_claim), (select run_id from first_claim), 'as a new run');
select results_eq(
  $$select status, error_summary from public.sync_runs where id = (select run_id from first_claim)$$,
  $$values ('failed'::text, 'run_lost'::text)$$, 'the dead worker''s run is lost');
select is(public.finish_org_sync((select run_id from first_claim), 'succeeded'), false,
  'a late finish of the lost run changes nothing');
select is(public.finish_org_sync((select run_id from second_claim), 'succeeded'), true,
  'the new run finishes the organization');

select * from finish();
rollback;
