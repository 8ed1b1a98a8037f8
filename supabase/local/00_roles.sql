-- LOCAL STACK ONLY. Never apply to a real Supabase project: the platform already
-- has these roles, with passwords and memberships it manages itself.
--
-- Stand-in for the Supabase API roles, with the attributes the platform gives
-- them, plus the platform's default privileges in `public` (every new table,
-- function and sequence is granted to anon, authenticated and service_role).
-- Reproducing those generous defaults here means the migrations must revoke
-- explicitly, exactly as they must on the platform. Re-runnable.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$$;

alter role service_role bypassrls;
grant anon, authenticated, service_role to authenticator;

grant usage on schema public to anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on tables to anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on functions to anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on sequences to anon, authenticated, service_role;
