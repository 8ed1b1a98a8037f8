-- edge_guard.check_freshness (supabase/schemas/3400_functions_watchdog_checks.sql):
-- an enrolled organization without a good sync for two sync periods is
-- org_sync_stale, naming each stale job; a recent sync makes it fresh.
-- Runs as the non-superuser postgres; rolls back.
begin;
create extension if not exists pgtap;
select plan(2);

insert into public.organizations (id, name) values ('c1000000-0000-4000-8000-0000000000c1', 'Stale');
insert into public.sync_org_state (org_id, job, enrolled_at, last_success_at) values
  ('c1000000-0000-4000-8000-0000000000c1', 'crm', now() - interval '3 hours', null),
  ('c1000000-0000-4000-8000-0000000000c1', 'chatter', now() - interval '3 hours', now() - interval '5 minutes');
select results_eq(
  $$select check_id, detail like 'crm never synced: older than two sync periods (00:30:00)'
    from edge_guard.check_freshness(now())
    where subject = 'org:c1000000-0000-4000-8000-0000000000c1'$$,
  $$values ('org_sync_stale'::text, true)$$, 'the never-synced job makes the organization stale');
update public.sync_org_state set last_success_at = now() - interval '5 minutes'
where org_id = 'c1000000-0000-4000-8000-0000000000c1';
select is((select count(*)::int from edge_guard.check_freshness(now())
  where subject = 'org:c1000000-0000-4000-8000-0000000000c1'), 0, 'synced 5 minutes ago: fresh');

select * from finish();
rollback;
