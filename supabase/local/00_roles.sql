-- LOCAL STACK ONLY. Never apply to a real Supabase project: the platform already
-- has these roles, with passwords and memberships it manages itself.
--
-- Applied by the bootstrap superuser `supabase_admin`; `postgres` itself (not
-- a superuser) is created by supabase/local/cluster.ts.
--
-- Stand-in for the Supabase API roles, with the attributes the platform gives
-- them, plus the platform's default privileges in `public` (every new table,
-- function and sequence is granted to anon, authenticated and service_role).
-- Sources (supabase/postgres):
--   migrations/db/init-scripts/00000000000000-initial-schema.sql (roles, default privileges)
--   migrations/db/migrations/20230529180330_alter_api_roles_for_inherit.sql (`inherit`)
--   migrations/db/migrations/20230201083204_grant_auth_roles_to_postgres.sql
-- Reproducing those generous defaults here means the migrations must revoke
-- explicitly, exactly as they must on the platform. Re-runnable.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$$;

alter role anon inherit;
alter role authenticated inherit;
alter role service_role inherit bypassrls;
grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;

grant usage on schema public to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on tables to anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on functions to anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on sequences to anon, authenticated, service_role;
