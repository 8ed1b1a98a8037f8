-- tick_odoo_sync wakes at most max_workers workers, counting live leases in
-- sync_workers, never pg_net's answers: a wake-up that timed out in pg_net
-- still holds its slot until its lease ends.
begin;
create extension if not exists pgtap;
select plan(6);
\ir ../_support/sync_queue_setup.sql
update public.sync_queue_settings set max_workers = 2 where job = 'crm';

select is((public.tick_odoo_sync('crm') ->> 'woken')::int, 2, 'five messages, bound 2: two workers woken');
select is((select count(*)::int from net.http_request_queue q
    where q.id in (select request_id from public.sync_workers)), 2, 'two wake-up calls queued in pg_net');
-- pg_net gave up on both (timeout): the project's leases still count.
insert into net._http_response (id, timed_out, error_msg)
select request_id, true, 'Timeout of 5000 ms reached' from public.sync_workers;
select is((public.tick_odoo_sync('crm') ->> 'woken')::int, 0, 'pg_net timeouts free no slot');
select is((select count(*)::int from public.sync_workers where stopped_at is null
    and lease_until > now()), 2, 'never more live workers than the bound');
-- The leases end (nobody started): the slots are free again.
update public.sync_workers set lease_until = now() - interval '1 second';
select is((public.tick_odoo_sync('crm') ->> 'woken')::int, 2, 'expired leases free their slots');
select is((public.tick_odoo_sync('crm') ->> 'live')::int, 2, 'and the bound holds again');

select * from finish();
rollback;
