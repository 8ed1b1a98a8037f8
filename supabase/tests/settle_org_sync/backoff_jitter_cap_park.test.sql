-- fail_org_sync backs off exponentially with jitter (0.5..1 of base * 2^(n-1)),
-- capped, and parks the organization after park_after failures in a row:
-- retried at the slow cadence, one org_sync_parked alert; a success un-parks it.
begin;
create extension if not exists pgtap;
select plan(7);
\ir ../_support/sync_queue_setup.sql
update public.sync_queue_settings set max_workers = 0, backoff_base = interval '1 minute',
  backoff_cap = interval '8 minutes', park_after = 6, parked_retry = interval '6 hours' where job = 'crm';
delete from public.integration_credentials where org_id in (select id from orgs where g > 1);
create temp table waits (n integer, wait interval);
do $$
declare
  r record;
begin
  for i in 1..6 loop
    select * into r from public.claim_org_sync_now((select id from orgs where g = 1), 'crm', 'incremental');
    -- A new minute for each "sync now" key: move the previous run out of the way.
    update public.sync_runs set idempotency_key = idempotency_key || ':' || i where id = r.run_id;
    perform public.fail_org_sync(r.run_id, 'odoo_timeout');
    insert into waits select i, s.next_due_at - now() from public.sync_org_state s
    where s.job = 'crm' and s.org_id = (select id from orgs where g = 1);
  end loop;
end
$$;
select ok((select bool_and(wait between interval '30 seconds' * power(2, n - 1)
    and interval '1 minute' * power(2, n - 1)) from waits where n <= 4),
  'failures 1-4 wait 0.5..1 x 1, 2, 4, 8 minutes');
select ok((select wait between interval '4 minutes' and interval '8 minutes' from waits where n = 5),
  'the 5th wait is capped at 8 minutes (not 16)');
select is((select wait from waits where n = 6), interval '6 hours', 'the 6th failure parks: retried in 6 hours');
select ok((select parked_at is not null and consecutive_failures = 6 from public.sync_org_state
    where job = 'crm' and org_id = (select id from orgs where g = 1)), 'parked, with the count');
select results_eq($$select check_id from public.edge_guard_findings()
    where subject = 'org:' || (select id::text from orgs where g = 1) and check_id like 'org_sync_%'
      and check_id <> 'org_sync_stale'$$,
  $$values ('org_sync_parked'::text)$$, 'one parked alert, not a failing one besides');
do $$
declare
  r record;
begin
  select * into r from public.claim_org_sync_now((select id from orgs where g = 1), 'crm', 'incremental');
  perform public.finish_org_sync(r.run_id, 'succeeded');
end
$$;
select ok((select parked_at is null and consecutive_failures = 0 from public.sync_org_state
    where job = 'crm' and org_id = (select id from orgs where g = 1)), 'a success un-parks it');
select is((select count(*)::int from public.edge_guard_findings()
    where subject = 'org:' || (select id::text from orgs where g = 1) and check_id = 'org_sync_parked'),
  0, 'and its alert resolves');

select * from finish();
rollback;
