-- Schema: tables, keys, the unique credential index, constraints, RLS switched on.
begin;
create extension if not exists pgtap;
select plan(37);

select has_table('public', t, 'table public.' || t || ' exists')
from unnest(array['organizations', 'integration_credentials', 'crm_leads', 'crm_lead_messages',
  'sync_cursors', 'sync_runs', 'bots', 'bot_runs', 'sla_policies', 'sla_breaches']) t;

select is(
  (select array_agg(c.relname::text order by c.relname) from pg_class c
   join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity
     and c.relname = any(array['organizations', 'integration_credentials', 'crm_leads',
       'crm_lead_messages', 'sync_cursors', 'sync_runs', 'bots', 'bot_runs', 'sla_policies',
       'sla_breaches'])),
  null,
  'row level security is enabled on every application table');

select has_index('public', 'integration_credentials', 'integration_credentials_org_type_key',
  array['org_id', 'integration_type'], 'credential index on (org_id, integration_type)');
select index_is_unique('public', 'integration_credentials', 'integration_credentials_org_type_key',
  'credential index is unique');
select has_column('public', 'integration_credentials', 'vault_secret_id', 'credentials reference a vault secret');
select is(
  (select count(*)::int from information_schema.columns
   where table_schema = 'public' and table_name = 'integration_credentials'
     and column_name ~ '(secret|password|api_key|token)' and column_name <> 'vault_secret_id'),
  0, 'credentials table has no column for a secret value');

select col_is_pk('public', 'crm_leads', array['org_id', 'odoo_id'], 'leads keyed by (org_id, odoo_id)');
select col_is_pk('public', 'crm_lead_messages', array['org_id', 'odoo_id'], 'messages keyed by (org_id, odoo_id)');
select col_is_pk('public', 'sync_cursors', array['org_id', 'job'], 'cursors keyed by (org_id, job)');
select col_is_unique('public', 'sync_runs', array['idempotency_key'], 'sync_runs idempotency key is unique');
select col_is_unique('public', 'bot_runs', array['bot_id', 'scheduled_minute'], 'one bot run per scheduled minute');
select col_is_unique('public', 'sla_breaches', array['policy_id', 'org_id', 'lead_odoo_id'], 'one breach per lead and policy');
select has_index('public', 'bots', 'bots_due_idx', array['enabled', 'next_run_at'], 'due-bot index');
select col_type_is('public', 'crm_leads', 'write_date', 'timestamp with time zone', 'lead write_date is timestamptz');
select col_type_is('public', 'crm_lead_messages', 'date', 'timestamp with time zone', 'message date is timestamptz');
select col_type_is('public', 'sync_runs', 'scheduled_for', 'timestamp with time zone', 'sync_runs.scheduled_for is timestamptz');
select col_type_is('public', 'sync_runs', 'started_at', 'timestamp with time zone', 'sync_runs.started_at is timestamptz');

-- Behaviour of the constraints.
insert into public.organizations (id, name) values
  ('a0000000-0000-4000-8000-00000000000a', 'Org A'),
  ('b0000000-0000-4000-8000-00000000000b', 'Org B');

select lives_ok($$insert into public.integration_credentials (org_id, integration_type, vault_secret_id)
  values ('a0000000-0000-4000-8000-00000000000a', 'odoo', gen_random_uuid())$$,
  'a first odoo credential for org A is accepted');
select throws_ok($$insert into public.integration_credentials (org_id, integration_type, vault_secret_id)
  values ('a0000000-0000-4000-8000-00000000000a', 'odoo', gen_random_uuid())$$,
  '23505', null, 'a second odoo credential for org A is rejected');
select lives_ok($$insert into public.integration_credentials (org_id, integration_type, vault_secret_id)
  values ('b0000000-0000-4000-8000-00000000000b', 'odoo', gen_random_uuid())$$,
  'org B may have its own odoo credential');
select throws_ok($$insert into public.integration_credentials (org_id, integration_type, vault_secret_id)
  values ('a0000000-0000-4000-8000-00000000000a', 'sap', gen_random_uuid())$$,
  '23514', null, 'unknown integration types are rejected');

insert into public.sync_runs (idempotency_key, integration, job, scheduled_for)
values ('odoo:odoo-crm-sync:2026-11-23T10:15Z', 'odoo', 'odoo-crm-sync', '2026-11-23T10:15Z');
select throws_ok($$insert into public.sync_runs (idempotency_key, integration, job, scheduled_for)
  values ('odoo:odoo-crm-sync:2026-11-23T10:15Z', 'odoo', 'odoo-crm-sync', '2026-11-23T10:15Z')$$,
  '23505', null, 'the same sync period cannot be recorded twice');
select throws_ok($$insert into public.sync_runs (idempotency_key, integration, job, scheduled_for, status)
  values ('odoo:odoo-crm-sync:2026-11-23T10:30Z', 'odoo', 'odoo-crm-sync', '2026-11-23T10:30Z', 'already_ran')$$,
  '23514', null, 'sync_runs.status is a closed set');

insert into public.bots (id, org_id, name, webhook_url)
values ('c0000000-0000-4000-8000-00000000000c', 'a0000000-0000-4000-8000-00000000000a', 'b1', 'https://hooks.example/b1');
insert into public.bot_runs (bot_id, org_id, scheduled_minute)
values ('c0000000-0000-4000-8000-00000000000c', 'a0000000-0000-4000-8000-00000000000a', '2026-11-23T10:15Z');
select throws_ok($$insert into public.bot_runs (bot_id, org_id, scheduled_minute)
  values ('c0000000-0000-4000-8000-00000000000c', 'a0000000-0000-4000-8000-00000000000a', '2026-11-23T10:15Z')$$,
  '23505', null, 'a bot runs at most once per scheduled minute');
select throws_ok($$insert into public.bot_runs (bot_id, org_id, scheduled_minute)
  values ('c0000000-0000-4000-8000-00000000000c', 'b0000000-0000-4000-8000-00000000000b', '2026-11-23T10:16Z')$$,
  '23503', null, 'a bot run cannot be filed under another organization');

insert into public.crm_leads (org_id, odoo_id, name) values ('a0000000-0000-4000-8000-00000000000a', 42, 'Lead 42');
insert into public.sla_policies (id, org_id, name, max_hours_without_progress)
values ('d0000000-0000-4000-8000-00000000000d', 'a0000000-0000-4000-8000-00000000000a', 'p1', 24);
insert into public.sla_breaches (policy_id, org_id, lead_odoo_id, hours_overdue)
values ('d0000000-0000-4000-8000-00000000000d', 'a0000000-0000-4000-8000-00000000000a', 42, 3);
select throws_ok($$insert into public.sla_breaches (policy_id, org_id, lead_odoo_id)
  values ('d0000000-0000-4000-8000-00000000000d', 'a0000000-0000-4000-8000-00000000000a', 42)$$,
  '23505', null, 'one breach per lead and policy');
select throws_ok($$insert into public.crm_leads (org_id, odoo_id) values ('a0000000-0000-4000-8000-00000000000a', 42)$$,
  '23505', null, 'one lead row per (org, odoo id)');
select lives_ok($$insert into public.crm_leads (org_id, odoo_id) values ('b0000000-0000-4000-8000-00000000000b', 42)$$,
  'the same odoo id may exist in another organization');

select * from finish();
rollback;
