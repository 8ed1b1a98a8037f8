-- LOCAL STACK ONLY: supautils runs this as `supabase_admin` right after every
-- `create extension pg_cron` (supautils.extension_custom_scripts_path, set by
-- supabase/local/_cluster/hosted.ts), as hosted Supabase does with
-- supabase/postgres ansible/files/postgresql_extension_custom_scripts/pg_cron/after-create.sql
-- (its grants; the schema itself comes from supautils.extensions_parameter_overrides)
-- and migrations/db/migrations/20231020085357_revoke_writes_on_cron_job_from_postgres.sql:
-- `postgres` gets everything in schema cron, except that cron.job is only
-- readable (jobs change through cron.schedule / cron.alter_job). Re-runnable.
grant usage on schema cron to postgres with grant option;
grant all on all functions in schema cron to postgres with grant option;

alter default privileges for user supabase_admin in schema cron grant all
  on sequences to postgres with grant option;
alter default privileges for user supabase_admin in schema cron grant all
  on tables to postgres with grant option;
alter default privileges for user supabase_admin in schema cron grant all
  on functions to postgres with grant option;

grant all privileges on all tables in schema cron to postgres with grant option;
revoke all on table cron.job from postgres;
grant select on table cron.job to postgres with grant option;
