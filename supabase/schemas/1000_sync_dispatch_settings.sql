-- supabase/schemas/1000_sync_dispatch_settings.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.sync_dispatch_settings (
    job text NOT NULL,
    max_in_flight integer DEFAULT 20 NOT NULL,
    request_timeout_ms integer DEFAULT 120000 NOT NULL,
    run_timeout interval DEFAULT '00:10:00'::interval NOT NULL,
    backoff interval[] DEFAULT ARRAY['00:15:00'::interval, '01:00:00'::interval, '04:00:00'::interval] NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    full_refresh_every interval DEFAULT '1 day'::interval NOT NULL,
    CONSTRAINT sync_dispatch_settings_backoff_check CHECK ((cardinality(backoff) > 0)),
    CONSTRAINT sync_dispatch_settings_bound_check CHECK (((max_in_flight >= 0) AND (max_in_flight <= 1000))),
    CONSTRAINT sync_dispatch_settings_job_check CHECK ((job = ANY (ARRAY['crm'::text, 'chatter'::text]))),
    CONSTRAINT sync_dispatch_settings_refresh_check CHECK (((full_refresh_every >= '01:00:00'::interval) AND (full_refresh_every <= '30 days'::interval) AND (EXTRACT(month FROM full_refresh_every) = (0)::numeric))),
    CONSTRAINT sync_dispatch_settings_timeout_check CHECK (((request_timeout_ms >= 1000) AND (request_timeout_ms <= 300000)))
);

ALTER TABLE ONLY public.sync_dispatch_settings
    ADD CONSTRAINT sync_dispatch_settings_pkey PRIMARY KEY (job);

ALTER TABLE public.sync_dispatch_settings ENABLE ROW LEVEL SECURITY;

REVOKE ALL ON TABLE public.sync_dispatch_settings FROM anon, authenticated, service_role;
GRANT SELECT ON TABLE public.sync_dispatch_settings TO service_role;

INSERT INTO public.sync_dispatch_settings (job, max_in_flight, request_timeout_ms, run_timeout, backoff, full_refresh_every) VALUES ('chatter', '20', '120000', '00:10:00', '{00:15:00,01:00:00,04:00:00}', '1 day') ON CONFLICT DO NOTHING;

INSERT INTO public.sync_dispatch_settings (job, max_in_flight, request_timeout_ms, run_timeout, backoff, full_refresh_every) VALUES ('crm', '20', '120000', '00:10:00', '{00:15:00,01:00:00,04:00:00}', '1 day') ON CONFLICT DO NOTHING;
