-- supabase/schemas/1600_edge_guard_settings.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.edge_guard_settings (
    singleton boolean DEFAULT true NOT NULL,
    watchdog_schedule text DEFAULT '*/5 * * * *'::text NOT NULL,
    run_max_lifetime interval DEFAULT '00:10:00'::interval NOT NULL,
    drift_tolerance interval DEFAULT '00:05:00'::interval NOT NULL,
    failing_runs integer DEFAULT 3 NOT NULL,
    outcome_retention interval DEFAULT '30 days'::interval NOT NULL,
    alert_retention interval DEFAULT '90 days'::interval NOT NULL,
    webhook_timeout_ms integer DEFAULT 5000 NOT NULL,
    stalled_runs integer DEFAULT 3 NOT NULL,
    run_retention interval DEFAULT '06:00:00'::interval NOT NULL,
    archive_retention interval DEFAULT '3 days'::interval NOT NULL,
    worker_retention interval DEFAULT '1 day'::interval NOT NULL,
    prune_batch integer DEFAULT 50000 NOT NULL,
    prune_schedule text DEFAULT '* * * * *'::text NOT NULL,
    outbound_allow_private boolean DEFAULT false NOT NULL,
    CONSTRAINT edge_guard_settings_failing_runs CHECK ((failing_runs > 0)),
    CONSTRAINT edge_guard_settings_singleton CHECK (singleton),
    CONSTRAINT edge_guard_settings_stalled_runs CHECK ((stalled_runs > 0))
);

ALTER TABLE ONLY public.edge_guard_settings
    ADD CONSTRAINT edge_guard_settings_pkey PRIMARY KEY (singleton);

ALTER TABLE public.edge_guard_settings ENABLE ROW LEVEL SECURITY;

REVOKE ALL ON TABLE public.edge_guard_settings FROM anon, authenticated, service_role;
GRANT SELECT ON TABLE public.edge_guard_settings TO service_role;

INSERT INTO public.edge_guard_settings (singleton, watchdog_schedule, run_max_lifetime, drift_tolerance, failing_runs, outcome_retention, alert_retention, webhook_timeout_ms, stalled_runs, run_retention, archive_retention, worker_retention, prune_batch, prune_schedule, outbound_allow_private) VALUES ('true', '*/5 * * * *', '00:10:00', '00:05:00', '3', '30 days', '90 days', '5000', '3', '06:00:00', '3 days', '1 day', '50000', '* * * * *', 'false') ON CONFLICT DO NOTHING;
