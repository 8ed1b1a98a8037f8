-- edge_guard.check_bots (supabase/schemas/3400_functions_watchdog_checks.sql):
-- an enabled bot whose last N runs all failed is bot_keeps_failing on that bot;
-- fewer failures after a success are not. Runs as the non-superuser postgres; rolls back.
begin;
create extension if not exists pgtap;
select plan(2);

insert into public.organizations (id, name) values ('e1000000-0000-4000-8000-0000000000e1', 'Bots');
insert into public.bots (id, org_id, name, webhook_url)
values ('b1000000-0000-4000-8000-0000000000b1', 'e1000000-0000-4000-8000-0000000000e1', 'Flaky',
  'https://hooks.invalid/x');
insert into public.bot_runs (bot_id, org_id, scheduled_minute, status, started_at)
select 'b1000000-0000-4000-8000-0000000000b1', 'e1000000-0000-4000-8000-0000000000e1',
  date_trunc('minute', now()) - make_interval(mins => n), s, now() - make_interval(mins => n)
from (values (1, 'failed'), (2, 'failed'), (3, 'succeeded')) v(n, s);
select is((select count(*)::int from edge_guard.check_bots(3)
  where subject = 'bot:b1000000-0000-4000-8000-0000000000b1'), 0, 'two failures after a success: not yet');
insert into public.bot_runs (bot_id, org_id, scheduled_minute, status, started_at)
values ('b1000000-0000-4000-8000-0000000000b1', 'e1000000-0000-4000-8000-0000000000e1',
  date_trunc('minute', now()), 'failed', now());
select results_eq(
  $$select check_id, severity from edge_guard.check_bots(3) where subject = 'bot:b1000000-0000-4000-8000-0000000000b1'$$,
  $$values ('bot_keeps_failing'::text, 'warn'::text)$$, 'three failed runs in a row: the bot keeps failing');

select * from finish();
rollback;
