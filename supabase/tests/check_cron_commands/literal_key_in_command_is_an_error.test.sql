-- edge_guard.check_cron_commands (supabase/schemas/3400_functions_watchdog_checks.sql):
-- a cron job whose command holds a literal key is one cron_command_literal error
-- on that job, naming the key kind and never the key; a job without one is not.
-- Runs as the non-superuser postgres; rolls back.
begin;
create extension if not exists pgtap;
select plan(3);

do $$
begin
  perform cron.schedule('edge-guard-test-literal', '0 3 1 1 *', $c$select net.http_post(
    url := 'https://legacy-ref.supabase.co/functions/v1/odoo-crm-sync',
    headers := jsonb_build_object('Authorization',
      'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl'))$c$);
  perform cron.schedule('edge-guard-test-clean', '0 3 1 1 *', 'select 1');
end
$$;
select results_eq(
  $$select check_id, severity, detail like 'its command holds a literal key (public anon/publishable key)%'
    from edge_guard.check_cron_commands() where subject = 'edge-guard-test-literal'$$,
  $$values ('cron_command_literal'::text, 'error'::text, true)$$,
  'a literal anon key in a command is one error naming its kind');
select ok((select bool_and(detail !~ '(eyJhbGciOiJIUzI1|c2lnbmF0)') from edge_guard.check_cron_commands()),
  'the detail holds no piece of the key');
select is((select count(*)::int from edge_guard.check_cron_commands() where subject = 'edge-guard-test-clean'),
  0, 'a command without a key or URL is not found');

select * from finish();
rollback;
