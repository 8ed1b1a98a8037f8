-- edge_guard.check_drift (supabase/schemas/3400_functions_watchdog_checks.sql):
-- a job whose latest run started later than the tolerance is schedule_drift on
-- integration:job; one that started on time is not. Runs as the non-superuser
-- postgres; rolls back (other runs are deleted inside the transaction).
begin isolation level repeatable read;
create extension if not exists pgtap;
select plan(1);

delete from public.sync_runs;
insert into public.sync_runs (idempotency_key, integration, job, scheduled_for, started_at, status)
values ('odoo:crm:test-late', 'odoo', 'crm', now() - interval '50 minutes', now() - interval '40 minutes',
    'succeeded'),
  ('odoo:chatter:test-on-time', 'odoo', 'chatter', now() - interval '50 minutes',
    now() - interval '50 minutes' + interval '5 seconds', 'succeeded');
select results_eq(
  $$select check_id, subject, detail like '% started 00:10:00 late (more than 00:02:00)'
    from edge_guard.check_drift(now(), interval '2 minutes')$$,
  $$values ('schedule_drift'::text, 'odoo:crm'::text, true)$$,
  'the late crm run is drift; the on-time chatter run is not');

select * from finish();
rollback;
