-- A tenant whose message vanished (pgmq.purge_queue by hand) is not stuck: a
-- period after it was due, the tick frees its state and enqueues it again.
begin;
create extension if not exists pgtap;
select plan(3);
\ir ../_support/sync_queue_setup.sql
update public.sync_queue_settings set max_workers = 0 where job = 'crm';
select public.tick_odoo_sync('crm');
delete from pgmq.q_odoo_sync_crm;
select is((public.tick_odoo_sync('crm') ->> 'enqueued')::int, 0,
  'within a period, a tenant with a message recorded is not enqueued twice');
update public.sync_org_state set next_due_at = now() - interval '16 minutes' where job = 'crm';
select is((public.tick_odoo_sync('crm') ->> 'enqueued')::int, 5, 'a period later, all five are enqueued again');
select is((select count(*)::int from public.sync_org_state s join pgmq.q_odoo_sync_crm m
    on m.msg_id = s.msg_id where s.job = 'crm'), 5, 'each state points at its new message');

select * from finish();
rollback;
