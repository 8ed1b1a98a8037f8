-- supabase/schemas/3050_cron_job_names.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE FUNCTION edge_guard.cron_job_names() RETURNS text[]
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select array['odoo-crm-sync-incremental', 'odoo-chatter-sync-incremental', 'bot-scheduler',
    'check-sla-breaches', 'edge-guard-housekeeping', 'edge-guard-watchdog', 'edge-guard-prune']
$$;

REVOKE ALL ON FUNCTION edge_guard.cron_job_names() FROM PUBLIC;
