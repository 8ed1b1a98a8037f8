-- RLS: a signed-in user reads only the organization in app_metadata.claims;
-- no claim, a garbage claim or a user_metadata claim shows nothing; anon and
-- authenticated write nothing; the credentials table is closed to both.
begin;
create extension if not exists pgtap;
select plan(60);

insert into public.organizations (id, name) values
  ('a0000000-0000-4000-8000-00000000000a', 'Org A'),
  ('b0000000-0000-4000-8000-00000000000b', 'Org B');
insert into public.integration_credentials (org_id, integration_type, vault_secret_id)
select o, 'odoo', gen_random_uuid()
from unnest(array['a0000000-0000-4000-8000-00000000000a', 'b0000000-0000-4000-8000-00000000000b']::uuid[]) o;
insert into public.crm_leads (org_id, odoo_id, name)
select o, 1, 'lead' from unnest(array['a0000000-0000-4000-8000-00000000000a', 'b0000000-0000-4000-8000-00000000000b']::uuid[]) o;
insert into public.crm_lead_messages (org_id, odoo_id, res_id, body)
select o, 1, 1, 'hello' from unnest(array['a0000000-0000-4000-8000-00000000000a', 'b0000000-0000-4000-8000-00000000000b']::uuid[]) o;
insert into public.sync_cursors (org_id, job, cursor_id)
select o, 'odoo-crm-sync', 1 from unnest(array['a0000000-0000-4000-8000-00000000000a', 'b0000000-0000-4000-8000-00000000000b']::uuid[]) o;
insert into public.bots (id, org_id, name, webhook_url) values
  ('a1000000-0000-4000-8000-00000000000a', 'a0000000-0000-4000-8000-00000000000a', 'bot', 'https://hooks.example/a'),
  ('b1000000-0000-4000-8000-00000000000b', 'b0000000-0000-4000-8000-00000000000b', 'bot', 'https://hooks.example/b');
insert into public.bot_runs (bot_id, org_id, scheduled_minute) values
  ('a1000000-0000-4000-8000-00000000000a', 'a0000000-0000-4000-8000-00000000000a', '2026-11-23T10:00Z'),
  ('b1000000-0000-4000-8000-00000000000b', 'b0000000-0000-4000-8000-00000000000b', '2026-11-23T10:00Z');
insert into public.sla_policies (id, org_id, name, max_hours_without_progress) values
  ('a2000000-0000-4000-8000-00000000000a', 'a0000000-0000-4000-8000-00000000000a', 'p', 24),
  ('b2000000-0000-4000-8000-00000000000b', 'b0000000-0000-4000-8000-00000000000b', 'p', 24);
insert into public.sla_breaches (policy_id, org_id, lead_odoo_id) values
  ('a2000000-0000-4000-8000-00000000000a', 'a0000000-0000-4000-8000-00000000000a', 1),
  ('b2000000-0000-4000-8000-00000000000b', 'b0000000-0000-4000-8000-00000000000b', 1);
insert into public.sync_runs (idempotency_key, integration, job, scheduled_for)
values ('odoo:odoo-crm-sync:2026-11-23T10:00Z', 'odoo', 'odoo-crm-sync', '2026-11-23T10:00Z');

-- The organizations (among A and B) whose rows the current role can see in a table.
create function pg_temp.visible_orgs(t text) returns uuid[] language plpgsql as $$
declare
  result uuid[];
begin
  execute format(
    'select array_agg(distinct %1$s order by %1$s) from public.%2$I where %1$s = any(%3$L::uuid[])',
    case when t = 'organizations' then 'id' else 'org_id' end, t,
    array['a0000000-0000-4000-8000-00000000000a', 'b0000000-0000-4000-8000-00000000000b'])
  into result;
  return result;
end
$$;
create temp table org_tables (t text);
insert into org_tables values ('organizations'), ('crm_leads'), ('crm_lead_messages'),
  ('sync_cursors'), ('bots'), ('bot_runs'), ('sla_policies'), ('sla_breaches');
grant select on org_tables to public;

-- A member of org A.
set local role authenticated;
set local request.jwt.claims = '{"sub": "5e000000-0000-4000-8000-000000000001", "role": "authenticated", "app_metadata": {"claims": {"organization_id": "a0000000-0000-4000-8000-00000000000a"}}}';
select is(public.current_org_id(), 'a0000000-0000-4000-8000-00000000000a'::uuid, 'current_org_id() reads app_metadata.claims.organization_id');
select is(pg_temp.visible_orgs(t), array['a0000000-0000-4000-8000-00000000000a']::uuid[],
  'org A member sees only org A in ' || t) from org_tables;
select throws_ok('select * from public.integration_credentials', '42501', null,
  'authenticated cannot read integration_credentials');
select throws_ok('select * from public.sync_runs', '42501', null, 'authenticated cannot read sync_runs');
select throws_ok($$insert into public.crm_leads (org_id, odoo_id) values ('a0000000-0000-4000-8000-00000000000a', 99)$$,
  '42501', null, 'authenticated cannot insert synced leads, even for its own org');
select throws_ok($$update public.bots set enabled = false$$, '42501', null, 'authenticated cannot update bots');
select throws_ok($$delete from public.sla_breaches$$, '42501', null, 'authenticated cannot delete breaches');

-- A member of org B.
set local request.jwt.claims = '{"sub": "5e000000-0000-4000-8000-000000000002", "role": "authenticated", "app_metadata": {"claims": {"organization_id": "b0000000-0000-4000-8000-00000000000b"}}}';
select is(pg_temp.visible_orgs(t), array['b0000000-0000-4000-8000-00000000000b']::uuid[],
  'org B member sees only org B in ' || t) from org_tables;

-- The claim placed in user_metadata (user-writable) is ignored.
set local request.jwt.claims = '{"sub": "5e000000-0000-4000-8000-000000000003", "role": "authenticated", "user_metadata": {"claims": {"organization_id": "a0000000-0000-4000-8000-00000000000a"}}, "app_metadata": {}}';
select is(pg_temp.visible_orgs(t), null, 'a user_metadata claim shows nothing in ' || t) from org_tables;

-- A garbage claim: no rows, no error.
set local request.jwt.claims = '{"sub": "5e000000-0000-4000-8000-000000000004", "role": "authenticated", "app_metadata": {"claims": {"organization_id": "not-a-uuid'' or 1=1 --"}}}';
select is(pg_temp.visible_orgs(t), null, 'a garbage claim shows nothing in ' || t) from org_tables;
set local request.jwt.claims = '{"role": "authenticated", "app_metadata": {"claims": "a0000000-0000-4000-8000-00000000000a"}}';
select is(public.current_org_id(), null, 'claims that are not an object yield no organization');

-- No claims at all.
set local request.jwt.claims = '';
select is(pg_temp.visible_orgs(t), null, 'without claims nothing is visible in ' || t) from org_tables;
reset role;

-- anon has no access to any table.
set local role anon;
set local request.jwt.claims = '{"role": "anon"}';
select throws_ok(format('select * from public.%I', t), '42501', null, 'anon cannot read ' || t)
from unnest(array['organizations', 'integration_credentials', 'crm_leads', 'sync_runs', 'bots']) t;
reset role;

-- service_role bypasses RLS and sees both organizations.
set local role service_role;
select is(pg_temp.visible_orgs(t),
  array['a0000000-0000-4000-8000-00000000000a', 'b0000000-0000-4000-8000-00000000000b']::uuid[],
  'service_role sees both organizations in ' || t) from org_tables;
reset role;

select * from finish();
rollback;
