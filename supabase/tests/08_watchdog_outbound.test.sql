-- The outbound policy in the watchdog (..._outbound_policy.sql,
-- ..._watchdog_outbound.sql, ..._watchdog_alert_scope.sql): stored destinations
-- the policy refuses are reported once per organization, naming the setting and
-- never the URL; the development allowance opens only loopback, private and
-- http; the alert webhook is never sent to a refused URL; each alert carries the
-- organization it concerns, or is project-wide only for a cron job or a Vault
-- secret. Runs as the non-superuser postgres; rolls back.
begin isolation level repeatable read;
create extension if not exists pgtap;
select plan(16);

delete from public.integration_credentials;
delete from public.bots;
delete from public.sync_runs;
delete from public.edge_guard_alerts;
delete from vault.secrets where name = 'alert_webhook_url';
update public.edge_guard_settings set outbound_allow_private = false;

insert into public.organizations (id, name) values
  ('a1000000-0000-4000-8000-0000000000a1', 'Metadata Odoo'),
  ('b2000000-0000-4000-8000-0000000000b2', 'Private bots'),
  ('c3000000-0000-4000-8000-0000000000c3', 'Fine');
do $$
begin
  perform public.upsert_integration_credential('a1000000-0000-4000-8000-0000000000a1', 'odoo',
    'odoo-key-s3cr3t', 'https://user:pa55@0xa9fea9fe/', 'db', 'sync@a.test');
  perform public.upsert_integration_credential('c3000000-0000-4000-8000-0000000000c3', 'odoo',
    'odoo-key-fine', 'https://acme.odoo.com', 'db', 'sync@c.test');
end
$$;
insert into public.bots (id, org_id, name, webhook_url, enabled) values
  ('b2000000-0000-4000-8000-000000000001', 'b2000000-0000-4000-8000-0000000000b2', 'ecs',
    'http://169.254.170.2/v2/credentials', true),
  ('b2000000-0000-4000-8000-000000000002', 'b2000000-0000-4000-8000-0000000000b2', 'lan',
    'https://10.0.0.5/hook?token=tok-s3cr3t', true),
  ('b2000000-0000-4000-8000-000000000003', 'b2000000-0000-4000-8000-0000000000b2', 'off',
    'https://[fd00:ec2::254]/', false),
  ('a1000000-0000-4000-8000-000000000004', 'a1000000-0000-4000-8000-0000000000a1', 'mapped',
    'https://[::ffff:169.254.169.254]/', true),
  ('c3000000-0000-4000-8000-000000000005', 'c3000000-0000-4000-8000-0000000000c3', 'ok',
    'https://hooks.example.com/x', true);

select results_eq(
  $$select subject from public.edge_guard_findings() where check_id = 'outbound_destination_refused'
    order by 1$$,
  $$values ('org:a1000000-0000-4000-8000-0000000000a1'::text), ('org:b2000000-0000-4000-8000-0000000000b2')$$,
  'one finding per organization with a refused destination; none for the fine one');
select is((select detail from public.edge_guard_findings()
    where subject = 'org:a1000000-0000-4000-8000-0000000000a1'),
  'bots.webhook_url of bot:a1000000-0000-4000-8000-000000000004 (address:ipv4_mapped); ' ||
  'integration_credentials.base_url (odoo) (address:metadata): refused by the outbound policy ' ||
  '(https to a public host only), so every call fails (odoo_destination_refused / ' ||
  'webhook_destination_refused); set an allowed URL',
  'the finding names each setting and the reason');
select ok((select detail like '%bot:b2000000-0000-4000-8000-000000000001 (scheme)%'
    and detail like '%bot:b2000000-0000-4000-8000-000000000002 (address:private)%'
    and detail not like '%000000000003%'
  from public.edge_guard_findings() where subject = 'org:b2000000-0000-4000-8000-0000000000b2'),
  'every enabled bot is named with its reason; a disabled bot is not');
select ok((select bool_and(detail !~ '(s3cr3t|pa55|0xa9fea9fe|169\.254|10\.0\.0\.5|https?://)')
  from public.edge_guard_findings() where check_id = 'outbound_destination_refused'),
  'no URL, password or token is in a finding');

update public.edge_guard_settings set outbound_allow_private = true;
select results_eq(
  $$select subject from public.edge_guard_findings() where check_id = 'outbound_destination_refused'
    order by 1$$,
  $$values ('org:a1000000-0000-4000-8000-0000000000a1'::text), ('org:b2000000-0000-4000-8000-0000000000b2')$$,
  'the development allowance does not open metadata addresses');
select ok((select detail not like '%000000000002%' and detail like '%000000000001 (address:metadata)%'
  from public.edge_guard_findings() where subject = 'org:b2000000-0000-4000-8000-0000000000b2'),
  'with the allowance a private address and plain http pass, metadata does not');
update public.edge_guard_settings set outbound_allow_private = false;

select is((public.edge_guard_watchdog() ->> 'opened')::int >= 2, true, 'the watchdog opens the alerts');
select results_eq(
  $$select org_id, project_wide from public.edge_guard_alerts
    where check_id = 'outbound_destination_refused' and resolved_at is null order by org_id$$,
  $$values ('a1000000-0000-4000-8000-0000000000a1'::uuid, false), ('b2000000-0000-4000-8000-0000000000b2'::uuid, false)$$,
  'each alert carries its organization');

-- An organization's stuck run is that organization's alert; an all-org run's is nobody's alone.
delete from public.edge_guard_alerts where check_id <> 'outbound_destination_refused';
insert into public.sync_runs (idempotency_key, integration, job, scheduled_for, started_at, status, org_id)
values ('odoo:crm:org:c3:stuck', 'odoo', 'crm', now() - interval '1 hour', now() - interval '1 hour',
  'running', 'c3000000-0000-4000-8000-0000000000c3'),
  ('odoo:crm:all:stuck', 'odoo', 'crm', now() - interval '2 hours', now() - interval '2 hours',
  'running', null);
insert into public.edge_guard_alerts (check_id, subject, severity, detail)
select 'sync_run_stuck', 'sync_run:' || id, 'error', 'stuck' from public.sync_runs
where idempotency_key in ('odoo:crm:org:c3:stuck', 'odoo:crm:all:stuck');
select results_eq(
  $$select r.idempotency_key, a.org_id, a.project_wide from public.edge_guard_alerts a
    join public.sync_runs r on a.subject = 'sync_run:' || r.id order by 1$$,
  $$values ('odoo:crm:all:stuck'::text, null::uuid, false),
    ('odoo:crm:org:c3:stuck', 'c3000000-0000-4000-8000-0000000000c3'::uuid, false)$$,
  'sync_run_stuck carries the run''s organization; an all-org run is not project-wide');
insert into public.edge_guard_alerts (check_id, subject, severity, detail) values
  ('bot_keeps_failing', 'bot:c3000000-0000-4000-8000-000000000005', 'warn', 'x'),
  ('org_sync_stale', 'org:c3000000-0000-4000-8000-0000000000c3', 'error', 'x'),
  ('http_auth_rejected', 'odoo-crm-sync-incremental', 'error', 'x'),
  ('vault_secret_missing', 'service_role_key', 'error', 'x');
select results_eq(
  $$select check_id, org_id, project_wide from public.edge_guard_alerts
    where check_id in ('bot_keeps_failing', 'org_sync_stale', 'http_auth_rejected', 'vault_secret_missing')
    order by 1$$,
  $$values ('bot_keeps_failing'::text, 'c3000000-0000-4000-8000-0000000000c3'::uuid, false),
    ('http_auth_rejected', null, true), ('org_sync_stale', 'c3000000-0000-4000-8000-0000000000c3', false),
    ('vault_secret_missing', null, true)$$,
  'a bot''s and an org''s alerts carry the org; a cron job''s and a Vault secret''s are project-wide');

-- The alert webhook: never sent to a refused URL, and that is itself reported.
do $$
begin
  perform vault.create_secret('https://[fd00:ec2::254]/hook', 'alert_webhook_url');
end
$$;
select is(edge_guard.notify((select array_agg(id) from public.edge_guard_alerts), 'opened', 1000), 0,
  'no notification goes to a refused webhook URL');
select is((select count(*)::int from public.edge_guard_alerts where opened_notification_id is not null), 0,
  'no request was queued');
select results_eq(
  $$select severity, detail from public.edge_guard_findings()
    where check_id = 'vault_secret_unusable' and subject = 'alert_webhook_url'$$,
  $$values ('warn'::text, 'is refused by the outbound policy (address:metadata): alerts are not sent'::text)$$,
  'a refused alert webhook is a finding');
select vault.update_secret((select id from vault.secrets where name = 'alert_webhook_url'),
  'https://hooks.example.com/T0/B0/x') is null as updated \gset
select is(edge_guard.notify((select array_agg(id) from public.edge_guard_alerts
  where check_id = 'org_sync_stale'), 'opened', 1000), 1, 'an allowed webhook URL is notified');
select is_empty(
  $$select 1 from public.edge_guard_findings() where subject = 'alert_webhook_url'$$,
  'an allowed webhook URL is no finding');

-- Numeric spellings, through the SQL the watchdog uses.
select results_eq(
  $$select edge_guard.outbound_refusal(u, false) from unnest(array['https://2852039166/',
    'https://0251.0376.0251.0376/', 'https://169.254.43518/', 'https://100.100.100.200/',
    'https://metadata.google.internal/', 'https://acme.odoo.com/']) with ordinality t(u, n) order by n$$,
  $$values ('address:metadata'::text), ('address:metadata'), ('address:metadata'),
    ('address:metadata'), ('name'), (null)$$,
  'numeric spellings of a metadata address are refused; a public name is left to the functions');

select * from finish();
rollback;
