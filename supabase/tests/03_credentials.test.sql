-- The credential functions: service_role only, secret in Vault, never across orgs.
begin;
create extension if not exists pgtap;
select plan(33);

-- Privileges and definition.
select ok(not has_function_privilege(r, 'public.get_integration_credential(uuid, text)', 'execute'),
  r || ' cannot execute get_integration_credential') from unnest(array['anon', 'authenticated']) r;
select ok(not has_function_privilege(r,
  'public.upsert_integration_credential(uuid, text, text, text, text, text, jsonb)', 'execute'),
  r || ' cannot execute upsert_integration_credential') from unnest(array['anon', 'authenticated']) r;
select ok(has_function_privilege('service_role', f::regprocedure, 'execute'), 'service_role can execute ' || f)
from unnest(array['public.get_integration_credential(uuid, text)',
  'public.upsert_integration_credential(uuid, text, text, text, text, text, jsonb)']) f;
select is(
  (select count(*)::int from pg_proc p, aclexplode(p.proacl) a
   where p.oid in ('public.get_integration_credential(uuid, text)'::regprocedure,
     'public.upsert_integration_credential(uuid, text, text, text, text, text, jsonb)'::regprocedure)
     and a.grantee = 0),
  0, 'PUBLIC has no privilege on either function');
select ok(p.prosecdef and p.proconfig = array['search_path=""'],
  p.proname || ' is SECURITY DEFINER with an empty search_path')
from pg_proc p
where p.oid in ('public.get_integration_credential(uuid, text)'::regprocedure,
  'public.upsert_integration_credential(uuid, text, text, text, text, text, jsonb)'::regprocedure);

insert into public.organizations (id, name) values
  ('a0000000-0000-4000-8000-00000000000a', 'Org A'),
  ('b0000000-0000-4000-8000-00000000000b', 'Org B');

-- Refused for anon and authenticated, whatever their claims.
set local role anon;
select throws_ok($$select * from public.get_integration_credential('a0000000-0000-4000-8000-00000000000a', 'odoo')$$,
  '42501', null, 'anon is refused');
reset role;
set local role authenticated;
set local request.jwt.claims = '{"role": "authenticated", "app_metadata": {"claims": {"organization_id": "a0000000-0000-4000-8000-00000000000a"}}}';
select throws_ok($$select * from public.get_integration_credential('a0000000-0000-4000-8000-00000000000a', 'odoo')$$,
  '42501', null, 'authenticated is refused, even for its own organization');
select throws_ok($$select public.upsert_integration_credential('a0000000-0000-4000-8000-00000000000a', 'odoo', 'x')$$,
  '42501', null, 'authenticated cannot store credentials');
reset role;

-- service_role stores and reads.
create temp table ids (name text primary key, id uuid);
grant all on ids to public;
set local role service_role;
insert into ids select 'a-odoo', public.upsert_integration_credential(
  'a0000000-0000-4000-8000-00000000000a', 'odoo', 'secret-A-odoo', 'https://a.odoo.example',
  'a_db', 'api@a.example', '{"lead_domain": []}');
insert into ids select 'a-vault', vault_secret_id from public.integration_credentials
  where org_id = 'a0000000-0000-4000-8000-00000000000a' and integration_type = 'odoo';
select ok(public.upsert_integration_credential('b0000000-0000-4000-8000-00000000000b', 'odoo',
  'secret-B-odoo', 'https://b.odoo.example', 'b_db', 'api@b.example') is not null, 'store org B odoo');
select ok(public.upsert_integration_credential('b0000000-0000-4000-8000-00000000000b', 'xledger',
  'secret-B-xledger', 'https://b.xledger.example') is not null, 'store org B xledger');

select results_eq(
  $$select org_id, integration_type, base_url, database_name, login, settings, secret
    from public.get_integration_credential('a0000000-0000-4000-8000-00000000000a', 'odoo')$$,
  $$values ('a0000000-0000-4000-8000-00000000000a'::uuid, 'odoo', 'https://a.odoo.example', 'a_db',
    'api@a.example', '{"lead_domain": []}'::jsonb, 'secret-A-odoo')$$,
  'service_role reads org A''s odoo settings and decrypted secret');
select results_eq(
  $$select org_id, secret from public.get_integration_credential('b0000000-0000-4000-8000-00000000000b', 'odoo')$$,
  $$values ('b0000000-0000-4000-8000-00000000000b'::uuid, 'secret-B-odoo')$$,
  'org B''s odoo credential is its own');
select is_empty($$select * from public.get_integration_credential('a0000000-0000-4000-8000-00000000000a', 'xledger')$$,
  'org A id with a type only org B has returns nothing');
select is_empty($$select * from public.get_integration_credential('a0000000-0000-4000-8000-00000000000a', 'dynamics')$$,
  'a type nobody has returns nothing');
select is_empty($$select * from public.get_integration_credential('c0000000-0000-4000-8000-00000000000c', 'odoo')$$,
  'an unknown organization returns nothing');
select is_empty($$select * from public.get_integration_credential(null, 'odoo')$$, 'a null org returns nothing');
select is_empty($$select * from public.get_integration_credential('a0000000-0000-4000-8000-00000000000a', null)$$,
  'a null type returns nothing');
select is((select count(*)::int from public.get_integration_credential('b0000000-0000-4000-8000-00000000000b', 'xledger')
  where secret = 'secret-B-xledger'), 1, 'org B''s xledger secret is readable for org B');

-- Rotation keeps the Vault secret id and the single row.
select is(public.upsert_integration_credential('a0000000-0000-4000-8000-00000000000a', 'odoo',
  'secret-A-rotated', 'https://a.odoo.example', 'a_db', 'api@a.example'),
  (select id from ids where name = 'a-odoo'), 'rotation returns the same credential id');
select is((select secret from public.get_integration_credential('a0000000-0000-4000-8000-00000000000a', 'odoo')),
  'secret-A-rotated', 'upsert rotates the secret');
-- A null secret keeps the stored one and updates the settings.
select ok(public.upsert_integration_credential('a0000000-0000-4000-8000-00000000000a', 'odoo', null,
  'https://a2.odoo.example', 'a_db', 'api@a.example') is not null, 'update settings only');
select results_eq(
  $$select base_url, secret from public.get_integration_credential('a0000000-0000-4000-8000-00000000000a', 'odoo')$$,
  $$values ('https://a2.odoo.example', 'secret-A-rotated')$$,
  'a null secret keeps the secret and updates the settings');
select throws_ok($$select public.upsert_integration_credential('a0000000-0000-4000-8000-00000000000a', 'dynamics', null)$$,
  '22004', null, 'a new credential needs a secret');
select throws_ok($$select public.upsert_integration_credential('a0000000-0000-4000-8000-00000000000a', 'sap', 'x')$$,
  '23514', null, 'an unknown integration type is rejected');
reset role;

-- Vault holds the secret, encrypted, under the deterministic name.
select is((select count(*)::int from public.integration_credentials where org_id = 'a0000000-0000-4000-8000-00000000000a'),
  1, 'org A still has exactly one credential row');
select is(
  (select c.vault_secret_id from public.integration_credentials c
   where c.org_id = 'a0000000-0000-4000-8000-00000000000a' and c.integration_type = 'odoo'),
  (select s.id from vault.secrets s where s.name = 'integration:a0000000-0000-4000-8000-00000000000a:odoo'),
  'the row references the vault secret named integration:<org_id>:<type>');
select is(
  (select c.vault_secret_id from public.integration_credentials c
   where c.org_id = 'a0000000-0000-4000-8000-00000000000a' and c.integration_type = 'odoo'),
  (select id from ids where name = 'a-vault'), 'rotation updated the vault secret in place');
select ok((select secret !~ 'secret-A' from vault.secrets
  where name = 'integration:a0000000-0000-4000-8000-00000000000a:odoo'),
  'vault.secrets stores the value encrypted');
select is((select count(*)::int from vault.secrets where name like 'integration:%:sap'), 0,
  'a rejected upsert leaves no vault secret behind');

select * from finish();
rollback;
