-- Rotating only the secret keeps the URL, database, login and settings (issue 23).
begin;
create extension if not exists pgtap;
select plan(5);

insert into public.organizations (id, name) values ('a0000000-0000-4000-8000-00000000000a', 'Org A');
set local role service_role;
select ok(public.upsert_integration_credential('a0000000-0000-4000-8000-00000000000a', 'odoo',
  'key-1', 'https://a.odoo.example', 'a_db', 'api@a.example', '{"lead_domain": []}') is not null,
  'a full credential is stored');
select ok(public.upsert_integration_credential(
  p_org_id := 'a0000000-0000-4000-8000-00000000000a', p_integration_type := 'odoo',
  p_secret := 'key-2') is not null, 'only the secret is given');
select results_eq(
  $$select base_url, database_name, login, settings, secret
    from public.get_integration_credential('a0000000-0000-4000-8000-00000000000a', 'odoo')$$,
  $$values ('https://a.odoo.example', 'a_db', 'api@a.example', '{"lead_domain": []}'::jsonb, 'key-2')$$,
  'the new secret, and every field that was not given as it was');
select ok(public.upsert_integration_credential(
  p_org_id := 'a0000000-0000-4000-8000-00000000000a', p_integration_type := 'odoo',
  p_settings := '{}') is not null, 'only the settings are given');
select results_eq(
  $$select settings, secret, login
    from public.get_integration_credential('a0000000-0000-4000-8000-00000000000a', 'odoo')$$,
  $$values ('{}'::jsonb, 'key-2', 'api@a.example')$$,
  'settings are cleared only when given');
reset role;

select * from finish();
rollback;
