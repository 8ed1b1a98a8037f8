-- The credential lookup is one indexed query, not a table scan, at 100,000 rows.
--
-- Data: the (org_id, integration_type) index is unique and there are three
-- types, so 1,000 organizations can hold at most 3,000 credential rows. To get
-- 100,000 real rows without weakening the constraint, this suite creates
-- 33,334 organizations with up to three credentials each (the last one gets
-- one). The plan checked is the one of the function's own query text (taken
-- from pg_proc), prepared with the same two parameters, both as a generic plan
-- (what a cached plan looks like) and as a custom plan for concrete values.
begin;
create extension if not exists pgtap;
select plan(5);

create temp table plan_orgs as
select gen_random_uuid() as id, g from generate_series(1, 33334) g;
insert into public.organizations (id, name) select id, 'plan org ' || g from plan_orgs;
insert into public.integration_credentials (org_id, integration_type, vault_secret_id, base_url)
select o.id, t.type, gen_random_uuid(), 'https://odoo' || o.g || '.example'
from plan_orgs o cross join unnest(array['odoo', 'xledger', 'dynamics']) t(type)
order by o.g, t.type
limit 100000;
analyze public.organizations;
analyze public.integration_credentials;

select cmp_ok(
  (select count(*)::int from public.integration_credentials c join plan_orgs o on o.id = c.org_id),
  '=', 100000, '100,000 credential rows over 33,334 organizations');

do $$
begin
  execute format('prepare cred_lookup(uuid, text) as %s',
    (select rtrim(btrim(p.prosrc), E'; \n\t') from pg_proc p
     where p.oid = 'public.get_integration_credential(uuid, text)'::regprocedure));
end
$$;

create function pg_temp.plan_of(q text) returns text language plpgsql as $$
declare
  r record;
  result text := '';
begin
  for r in execute 'explain (costs off) ' || q loop
    result := result || r."QUERY PLAN" || E'\n';
  end loop;
  return result;
end
$$;

create temp table plans (kind text primary key, plan text);
set local plan_cache_mode = force_generic_plan;
insert into plans select 'generic', pg_temp.plan_of(format('execute cred_lookup(%L, %L)',
  (select id from plan_orgs where g = 20000), 'xledger'));
set local plan_cache_mode = force_custom_plan;
insert into plans select 'custom', pg_temp.plan_of(format('execute cred_lookup(%L, %L)',
  (select id from plan_orgs where g = 20000), 'xledger'));
reset plan_cache_mode;

select doesnt_match(plan, 'Seq Scan on integration_credentials',
  kind || ' plan does not scan integration_credentials') from plans order by kind;
select matches(plan, '(Index Scan using|Bitmap Index Scan on) integration_credentials_org_type_key',
  kind || ' plan uses the (org_id, integration_type) index') from plans order by kind;

select * from finish();
rollback;
