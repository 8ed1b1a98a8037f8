-- A worker whose budget ended with messages left stops with p_relay: its slot
-- is freed and its successor woken at once (not at the next tick), within the
-- bound; a worker that stops on an empty queue wakes nobody.
begin;
create extension if not exists pgtap;
select plan(4);
\ir ../_support/sync_queue_setup.sql
update public.sync_queue_settings set max_workers = 1 where job = 'crm';
select public.tick_odoo_sync('crm');
create temp table first as select id from public.sync_workers;
select is((select count(*)::int from first), 1, 'the tick woke one worker (bound 1)');
select ok(public.stop_sync_worker((select id from first), true), 'the worker stops with relay');
select is((select count(*)::int from public.sync_workers where stopped_at is null and lease_until > now()),
  1, 'its successor is woken at once, still within the bound');
delete from pgmq.q_odoo_sync_crm;
select public.stop_sync_worker(id, true) from public.sync_workers where stopped_at is null;
select is((select count(*)::int from public.sync_workers where stopped_at is null), 0,
  'with nothing left in the queue, nobody is woken');

select * from finish();
rollback;
