-- LOCAL STACK ONLY. Never apply to a real Supabase project: it already has all of this.
--
-- The extensions a hosted project has before its first migration, created by
-- the bootstrap superuser `supabase_admin` (supautils runs each extension's
-- after-create script from supabase/local/extension-custom-scripts/, as on
-- hosted). Sources (supabase/postgres):
--   migrations/db/init-scripts/00000000000000-initial-schema.sql: schema
--     `extensions` (usable by the API roles) holding pgcrypto and uuid-ossp;
--   migrations/db/init-scripts/00000000000003-post-setup.sql: `"$user", public,
--     extensions` as the search path (set here on the database);
--   migrations/db/migrations/20221207154255_create_pgsodium_and_vault.sql:
--     supabase_vault is created on every project (the real extension: its key
--     comes from vault.getkey_script, see supabase/local/_cluster/hosted.ts).
-- pg_cron and pg_net are NOT created here: the migrations create them as the
-- non-superuser `postgres`, through supautils, exactly as on hosted.
-- Re-runnable.

create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists supabase_vault;

do $$
begin
  execute format(
    'alter database %I set search_path to "$user", public, extensions',
    current_database()
  );
end
$$;
