-- supabase/schemas/4100_sync_dispatch_overview.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE VIEW public.sync_dispatch_overview WITH (security_invoker='true') AS
 SELECT s.job,
    s.max_in_flight,
    public.sync_in_flight(s.job) AS in_flight,
    (( SELECT count(*) AS count
           FROM public.sync_runs r
          WHERE ((r.job = s.job) AND (r.org_id IS NOT NULL) AND (r.status = 'queued'::text))))::integer AS queued,
    (( SELECT count(*) AS count
           FROM public.sync_org_state o
          WHERE ((o.job = s.job) AND (o.consecutive_failures > 0))))::integer AS failing,
    (( SELECT count(*) AS count
           FROM (public.integration_credentials c
             LEFT JOIN public.sync_org_state o ON (((o.org_id = c.org_id) AND (o.job = s.job))))
          WHERE ((c.integration_type = 'odoo'::text) AND ((o.last_success_at IS NULL) OR (o.last_success_at < (now() - '00:30:00'::interval))))))::integer AS stale_30m
   FROM public.sync_dispatch_settings s;

REVOKE ALL ON TABLE public.sync_dispatch_overview FROM anon, authenticated, service_role;
GRANT ALL ON TABLE public.sync_dispatch_overview TO service_role;
