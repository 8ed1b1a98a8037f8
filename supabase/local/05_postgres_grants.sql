-- LOCAL STACK ONLY. Never apply to a real Supabase project: it already has these.
--
-- Predefined roles hosted Supabase grants `postgres` before any migration
-- (supabase/postgres migrations/db/migrations/20230306081037_grant_pg_monitor_to_postgres.sql
-- and 20240606060239_grant_predefined_roles_to_postgres.sql). pg_monitor lets
-- `postgres` see other roles' sessions in pg_stat_activity, which
-- net.check_worker_is_up() reads to find pg_net's worker. Re-runnable.
grant pg_monitor to postgres;
grant pg_read_all_data, pg_signal_backend to postgres;
