-- public.claim_sync_pass: the period is public.sync_queue_settings.period (the
-- one the tick and the watchdog use), never a constant: with an hourly period
-- two calls 40 minutes apart are one run; without scheduled_for the slot is
-- the database's minute.
begin;
create extension if not exists pgtap;
select plan(3);
delete from public.sync_runs; -- other suites' runs in the test database (rolled back)

update public.sync_queue_settings set period = interval '1 hour' where job = 'chatter';
select is((select idempotency_key
    from public.claim_sync_pass('chatter', 'incremental', timestamptz '2026-11-23T10:05:00Z')),
  'odoo:chatter:2026-11-23T10:00Z', 'the key names the hour');
select is((select outcome
    from public.claim_sync_pass('chatter', 'incremental', timestamptz '2026-11-23T10:45:00Z')),
  'already_ran', '40 minutes later is the same period');
select is((select scheduled_for from public.claim_sync_pass('crm', 'incremental')),
  date_trunc('minute', now()), 'no scheduled_for: this minute of the database''s clock');

select * from finish();
rollback;
