-- LOCAL STACK ONLY. Never apply to a real Supabase project.
--
-- Supabase installs pgcrypto (and friends) into the `extensions` schema and puts
-- that schema on the default search_path, so unqualified `gen_random_bytes()`
-- or `crypt()` resolve the same way here as there. `gen_random_uuid()` is core
-- PostgreSQL (pg_catalog) since 13 and resolves everywhere. Re-runnable.

create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;

do $$
begin
  execute format(
    'alter database %I set search_path to "$user", public, extensions',
    current_database()
  );
end
$$;
