-- LOCAL STACK ONLY. Never apply to a real Supabase project: the platform
-- creates this role and schema itself.
--
-- What a hosted project has for Supabase Auth before any Auth migration runs,
-- applied by `supabase_admin`; Auth's own migrations (`auth migrate`,
-- supabase/local/auth.ts, run by supabase/local/apply.ts right after these
-- files) then create every `auth` table and `auth.uid()`, `auth.role()`,
-- `auth.email()`, `auth.jwt()`.
--
-- Sources:
--   supabase/postgres migrations/db/init-scripts/00000000000001-auth-schema.sql:
--     CREATE USER supabase_auth_admin NOINHERIT CREATEROLE LOGIN NOREPLICATION;
--     ALTER USER supabase_auth_admin SET search_path = "auth";
--     GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
--   supabase/auth v2.196.0 init_postgres.sh (the setup Auth's own repository
--   runs its migrations on): the schema `auth` owned by supabase_auth_admin and
--   GRANT CREATE ON DATABASE postgres TO supabase_auth_admin.
-- Left out: the hosted init script's early `auth` tables and its first
-- auth.uid() / auth.role() / auth.email(); Auth's migrations create their
-- current versions. Local clusters trust 127.0.0.1, so the role has no
-- password. Re-runnable.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin noinherit createrole login noreplication;
  end if;
end
$$;
alter role supabase_auth_admin set search_path = auth;

create schema if not exists auth authorization supabase_auth_admin;
grant usage on schema auth to anon, authenticated, service_role;

do $$
begin
  execute format('grant create on database %I to supabase_auth_admin', current_database());
end
$$;
