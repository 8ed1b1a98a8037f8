-- LOCAL STACK ONLY. Never apply to a real Supabase project.
--
-- Applied by `supabase_admin`. Supabase installs pgcrypto (and friends) into
-- the `extensions` schema and puts that schema on the default search_path, so
-- unqualified `gen_random_bytes()` or `crypt()` resolve the same way here as
-- there. `gen_random_uuid()` is core PostgreSQL (pg_catalog) since 13.
--
-- pg_cron is created here by the superuser, as the platform does when the
-- dashboard enables it, followed by the platform's grants to `postgres`
-- (supabase/postgres ansible/files/postgresql_extension_custom_scripts/pg_cron/after-create.sql
-- and migrations/db/migrations/20231020085357_revoke_writes_on_cron_job_from_postgres.sql):
-- everything in schema cron, except that cron.job is only readable; jobs are
-- changed through cron.schedule / cron.unschedule / cron.alter_job, which
-- pg_cron lets a non-superuser use on its own jobs only. pgTAP (for `supabase
-- test db`) goes into `extensions` too. Re-runnable.

create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;

create extension if not exists pg_cron with schema pg_catalog;
grant usage on schema cron to postgres with grant option;
grant all on all functions in schema cron to postgres with grant option;
grant all privileges on all tables in schema cron to postgres with grant option;
revoke all on table cron.job from postgres;
grant select on table cron.job to postgres with grant option;

do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'pgtap') then
    create extension if not exists pgtap with schema extensions;
  end if;
  execute format(
    'alter database %I set search_path to "$user", public, extensions',
    current_database()
  );
end
$$;
