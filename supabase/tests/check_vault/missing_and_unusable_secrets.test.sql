-- edge_guard.check_vault (supabase/schemas/3400_functions_watchdog_checks.sql):
-- a missing project_url is vault_secret_missing; an anon key stored as
-- service_role_key is vault_secret_unusable; healthy secrets are not found.
-- Runs as the non-superuser postgres; rolls back.
begin;
create extension if not exists pgtap;
select plan(3);

delete from vault.secrets where name in ('project_url', 'service_role_key', 'alert_webhook_url');
do $$
begin
  perform vault.create_secret('https://test-ref.supabase.co', 'project_url');
  perform vault.create_secret('sb_secret_TEST0123456789', 'service_role_key');
end
$$;
select is_empty($$select * from edge_guard.check_vault(now())$$, 'healthy secrets are not found');
delete from vault.secrets where name = 'project_url';
select results_eq($$select check_id, subject, severity from edge_guard.check_vault(now())$$,
  $$values ('vault_secret_missing'::text, 'project_url'::text, 'error'::text)$$,
  'a missing project_url is one error');
delete from vault.secrets where name = 'service_role_key';
do $$
begin
  perform vault.create_secret(
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl', 'service_role_key');
end
$$;
select results_eq(
  $$select check_id, detail like 'holds a public anon/publishable key%' from edge_guard.check_vault(now())
    where subject = 'service_role_key'$$,
  $$values ('vault_secret_unusable'::text, true)$$, 'the anon key as service key is unusable');

select * from finish();
rollback;
