-- supabase/schemas/3600_functions_retention.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE FUNCTION edge_guard.prune_batch(p_table text, p_where text, p_batch integer) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  n integer;
begin
  execute format('delete from %s where ctid = any(array(select ctid from %s where %s limit %s))',
    p_table, p_table, p_where, p_batch);
  get diagnostics n = row_count;
  return n;
end
$$;

CREATE FUNCTION public.edge_guard_prune() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  s public.edge_guard_settings;
  b integer;
begin
  select * into s from public.edge_guard_settings limit 1;
  b := s.prune_batch;
  return jsonb_build_object(
    'sync_runs', edge_guard.prune_batch('public.sync_runs',
      format('finished_at < now() - %L::interval', s.run_retention), b),
    'call_outcomes', edge_guard.prune_batch('public.edge_guard_call_outcomes',
      format('requested_at < now() - %L::interval', s.outcome_retention), b),
    'alerts', edge_guard.prune_batch('public.edge_guard_alerts',
      format('resolved_at < now() - %L::interval', s.alert_retention), b),
    'archive_crm', edge_guard.prune_batch('pgmq.a_odoo_sync_crm',
      format('archived_at < now() - %L::interval', s.archive_retention), b),
    'archive_chatter', edge_guard.prune_batch('pgmq.a_odoo_sync_chatter',
      format('archived_at < now() - %L::interval', s.archive_retention), b),
    'workers', edge_guard.prune_batch('public.sync_workers',
      format('woken_at < now() - %L::interval and (stopped_at is not null or lease_until < now())',
        s.worker_retention), b),
    'cron_requests', edge_guard.prune_batch('public.cron_http_requests',
      'created_at < now() - interval ''7 days''', b));
end
$$;

REVOKE ALL ON FUNCTION edge_guard.prune_batch(p_table text, p_where text, p_batch integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.edge_guard_prune() FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.edge_guard_prune() TO service_role;
