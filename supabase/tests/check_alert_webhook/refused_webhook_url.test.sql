-- edge_guard.check_alert_webhook (supabase/schemas/3400_functions_watchdog_checks.sql):
-- an alert_webhook_url in Vault that the outbound policy refuses is
-- vault_secret_unusable (warn) on alert_webhook_url; the development allowance
-- accepts a private address; a public https URL is fine. Runs as the
-- non-superuser postgres; rolls back.
begin;
create extension if not exists pgtap;
select plan(3);

delete from vault.secrets where name = 'alert_webhook_url';
do $$
begin
  perform vault.create_secret('https://10.0.0.5/hook', 'alert_webhook_url');
end
$$;
select results_eq(
  $$select check_id, subject, severity, detail like 'is refused by the outbound policy (address:private)%'
    from edge_guard.check_alert_webhook(false)$$,
  $$values ('vault_secret_unusable'::text, 'alert_webhook_url'::text, 'warn'::text, true)$$,
  'a private webhook address is refused');
select is_empty($$select * from edge_guard.check_alert_webhook(true)$$,
  'the development allowance accepts it');
delete from vault.secrets where name = 'alert_webhook_url';
do $$
begin
  perform vault.create_secret('https://hooks.example.com/x', 'alert_webhook_url');
end
$$;
select is_empty($$select * from edge_guard.check_alert_webhook(false)$$, 'a public https URL is fine');

select * from finish();
rollback;
