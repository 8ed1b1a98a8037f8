-- public.claim_sync_pass (supabase/schemas/3300_functions_odoo_sync.sql): the
-- run over every organization (a service call without org_id) is claimed once
-- per job, mode and period; a second call in the same period answers
-- already_ran with the first run's status. The row says a service call
-- started it.
begin;
create extension if not exists pgtap;
select plan(4);
delete from public.sync_runs; -- other suites' runs in the test database (rolled back)

create temp table first as
  select * from public.claim_sync_pass('crm', 'incremental', timestamptz '2026-11-23T10:16:00Z');
select results_eq($$select outcome, idempotency_key, scheduled_for from first$$,
  $$values ('claimed'::text, 'odoo:crm:2026-11-23T10:15Z'::text, timestamptz '2026-11-23T10:16:00Z')$$,
  'the first call claims the period''s key; scheduled_for is the caller''s');
update public.sync_runs set status = 'succeeded' where id = (select run_id from first);
select results_eq(
  $$select outcome, run_id, previous_status
    from public.claim_sync_pass('crm', 'incremental', timestamptz '2026-11-23T10:29:00Z')$$,
  $$select 'already_ran'::text, run_id, 'succeeded'::text from first$$,
  'a second call in the same period is already_ran, naming the first run');
select is((select outcome from public.claim_sync_pass('crm', 'full', timestamptz '2026-11-23T10:29:00Z')),
  'claimed', 'a full resync is its own run in the period');
select is((select started_by from public.sync_runs where id = (select run_id from first)), 'service',
  'a run over every organization is started by a service call');

select * from finish();
rollback;
