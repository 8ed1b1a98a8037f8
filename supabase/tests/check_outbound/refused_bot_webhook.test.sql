-- edge_guard.check_outbound (supabase/schemas/3400_functions_watchdog_checks.sql):
-- an enabled bot whose webhook_url the outbound policy refuses is
-- outbound_destination_refused on its organization, naming the setting and the
-- reason, never the URL; a public https URL is not. Runs as the non-superuser
-- postgres; rolls back.
begin;
create extension if not exists pgtap;
select plan(2);

insert into public.organizations (id, name) values
  ('f1000000-0000-4000-8000-0000000000f1', 'Private bot'),
  ('f2000000-0000-4000-8000-0000000000f2', 'Fine bot');
insert into public.bots (id, org_id, name, webhook_url, enabled) values
  ('f1000000-0000-4000-8000-000000000001', 'f1000000-0000-4000-8000-0000000000f1', 'lan',
    'https://10.0.0.5/hook', true),
  ('f2000000-0000-4000-8000-000000000002', 'f2000000-0000-4000-8000-0000000000f2', 'ok',
    'https://hooks.example.com/x', true);
select results_eq(
  $$select check_id, detail like 'bots.webhook_url of bot:f1000000-0000-4000-8000-000000000001 (address:private): refused%'
      and detail not like '%10.0.0.5%'
    from edge_guard.check_outbound(false) where subject = 'org:f1000000-0000-4000-8000-0000000000f1'$$,
  $$values ('outbound_destination_refused'::text, true)$$, 'a private webhook address is refused, without the URL');
select is((select count(*)::int from edge_guard.check_outbound(false)
  where subject = 'org:f2000000-0000-4000-8000-0000000000f2'), 0, 'a public https webhook is not');

select * from finish();
rollback;
