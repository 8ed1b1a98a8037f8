-- Every watchdog check (edge_guard.check_*) is evaluated by public.edge_guard_findings:
-- two migrations redefining the findings each with their own new check silently drop one.
begin;
create extension if not exists pgtap;
select plan(2);

select ok((select count(*) >= 10 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = 'edge_guard' and p.proname like 'check\_%'), 'the watchdog has its checks');
select is_empty(
  $$select p.proname::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'edge_guard' and p.proname like 'check\_%'
      and position('edge_guard.' || p.proname || '(' in
        (select prosrc from pg_proc where oid = 'public.edge_guard_findings(timestamptz)'::regprocedure)) = 0$$,
  'no check is left out of edge_guard_findings');

select * from finish();
rollback;
