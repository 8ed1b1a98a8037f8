-- edge_guard.check_stuck_runs (supabase/schemas/3400_functions_watchdog_checks.sql):
-- a sync run still running after the edge function lifetime is sync_run_stuck
-- on that run; a younger one is not. Runs as the non-superuser postgres; rolls back.
begin;
create extension if not exists pgtap;
select plan(2);

insert into public.sync_runs (idempotency_key, integration, job, scheduled_for, started_at, status)
values ('odoo:crm:test-stuck', 'odoo', 'crm', now() - interval '1 hour', now() - interval '50 minutes', 'running'),
  ('odoo:crm:test-young', 'odoo', 'crm', now() - interval '5 minutes', now() - interval '4 minutes', 'running');
select results_eq(
  $$select f.check_id, f.severity from edge_guard.check_stuck_runs(now(), interval '10 minutes') f
    join public.sync_runs r on f.subject = 'sync_run:' || r.id where r.idempotency_key = 'odoo:crm:test-stuck'$$,
  $$values ('sync_run_stuck'::text, 'error'::text)$$, 'a run running for 50 minutes is stuck');
select is((select count(*)::int from edge_guard.check_stuck_runs(now(), interval '10 minutes') f
    join public.sync_runs r on f.subject = 'sync_run:' || r.id where r.idempotency_key = 'odoo:crm:test-young'),
  0, 'a run running for 4 minutes is not');

select * from finish();
rollback;
