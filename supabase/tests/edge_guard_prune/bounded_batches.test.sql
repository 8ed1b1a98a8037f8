-- edge_guard_prune deletes at most prune_batch rows per table per run (so it
-- always completes), only rows past their retention, and catches up run by run.
begin;
create extension if not exists pgtap;
select plan(4);
delete from public.sync_runs;
update public.edge_guard_settings set prune_batch = 2, run_retention = interval '3 days';
insert into public.sync_runs (idempotency_key, integration, job, scheduled_for, started_at, finished_at, status)
select 'prune:' || g, 'odoo', 'crm', now(), now(), now() - interval '4 days', 'succeeded'
from generate_series(1, 5) g;
insert into public.sync_runs (idempotency_key, integration, job, scheduled_for, started_at, finished_at, status)
values ('prune:recent', 'odoo', 'crm', now(), now(), now() - interval '1 day', 'succeeded');
select is((public.edge_guard_prune() ->> 'sync_runs')::int, 2, 'one run deletes at most prune_batch rows');
select is((public.edge_guard_prune() ->> 'sync_runs')::int, 2, 'the next run continues');
select is((public.edge_guard_prune() ->> 'sync_runs')::int, 1, 'and catches up');
select results_eq($$select idempotency_key from public.sync_runs$$, $$values ('prune:recent'::text)$$,
  'runs inside their retention are kept');

select * from finish();
rollback;
