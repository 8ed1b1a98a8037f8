-- finish_org_sync after a worker's run: the message is deleted, the
-- organization is due at its offset in the next period, with the database's
-- clock (never the function's), and a partial run is due again at once.
begin;
create extension if not exists pgtap;
select plan(5);
\ir ../_support/sync_queue_setup.sql
update public.sync_queue_settings set max_workers = 0 where job = 'crm';
delete from public.integration_credentials where org_id in (select id from orgs where g > 2);
select public.tick_odoo_sync('crm');
insert into public.sync_workers (job, lease_until) values ('crm', now() + interval '1 minute');
create temp table c as select * from public.claim_org_sync((select max(id) from public.sync_workers));
insert into c select * from public.claim_org_sync((select max(id) from public.sync_workers));
select ok(public.finish_org_sync((select run_id from c where org_id = (select id from orgs where g = 1)),
  'succeeded'), 'the run finishes');
select results_eq(
  $$select next_due_at, last_success_at, msg_id from public.sync_org_state
    where job = 'crm' and org_id = (select id from orgs where g = 1)$$,
  $$select public.sync_period(now(), interval '15 minutes') + interval '15 minutes'
      + public.sync_offset((select id from orgs where g = 1), interval '15 minutes'), now(), null::bigint$$,
  'due at its offset in the next period; last success = the database clock');
select is((select count(*)::int from pgmq.q_odoo_sync_crm
    where message ->> 'org_id' = (select id::text from orgs where g = 1)), 0, 'its message is deleted');
select ok(public.finish_org_sync((select run_id from c where org_id = (select id from orgs where g = 2)),
  'partial'), 'a run cut by its deadline finishes partial');
select results_eq($$select next_due_at, consecutive_failures from public.sync_org_state
    where job = 'crm' and org_id = (select id from orgs where g = 2)$$,
  $$values (now(), 0)$$, 'and is due again at once');

select * from finish();
rollback;
