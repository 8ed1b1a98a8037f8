-- public.claim_sync_pass: a job without settings or an unknown mode is an
-- error (22023) naming what is wrong, never a run with a made-up period.
begin;
create extension if not exists pgtap;
select plan(2);
delete from public.sync_runs; -- other suites' runs in the test database (rolled back)

select throws_ok($$select * from public.claim_sync_pass('invoices', 'incremental')$$, '22023',
  'claim_sync_pass: no sync_queue_settings row for job invoices', 'an unknown job');
select throws_ok($$select * from public.claim_sync_pass('crm', 'everything')$$, '22023',
  'claim_sync_pass: mode must be incremental or full', 'an unknown mode');

select * from finish();
rollback;
