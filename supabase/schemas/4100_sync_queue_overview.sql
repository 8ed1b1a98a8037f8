-- supabase/schemas/4100_sync_queue_overview.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE VIEW public.sync_queue_overview WITH (security_invoker='false') AS
 SELECT c.job,
    c.max_workers,
    (( SELECT count(*) AS count
           FROM public.sync_workers w
          WHERE ((w.job = c.job) AND (w.stopped_at IS NULL) AND (w.lease_until > now()))))::integer AS live_workers,
    ((pgmq.metrics(('odoo_sync_'::text || c.job))).queue_length)::integer AS queued,
    (( SELECT count(*) AS count
           FROM public.sync_org_state o
          WHERE ((o.job = c.job) AND (o.run_id IS NOT NULL) AND (o.lease_until > now()))))::integer AS running,
    (( SELECT count(*) AS count
           FROM public.sync_org_state o
          WHERE ((o.job = c.job) AND (o.consecutive_failures > 0))))::integer AS failing,
    (( SELECT count(*) AS count
           FROM public.sync_org_state o
          WHERE ((o.job = c.job) AND (o.parked_at IS NOT NULL))))::integer AS parked,
    (( SELECT count(*) AS count
           FROM public.sync_org_state o
          WHERE ((o.job = c.job) AND (COALESCE(o.last_success_at, o.enrolled_at) < (now() - ((2)::double precision * c.period))))))::integer AS stale
   FROM public.sync_queue_settings c;

REVOKE ALL ON TABLE public.sync_queue_overview FROM anon, authenticated, service_role;
GRANT ALL ON TABLE public.sync_queue_overview TO service_role;
