-- supabase/schemas/0800_sync_queue_settings.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.sync_queue_settings (
    job text NOT NULL,
    max_workers integer DEFAULT 20 NOT NULL,
    period interval DEFAULT '00:15:00'::interval NOT NULL,
    worker_budget_seconds integer DEFAULT 90 NOT NULL,
    org_deadline_seconds integer DEFAULT 40 NOT NULL,
    wake_lease_seconds integer DEFAULT 30 NOT NULL,
    wake_timeout_ms integer DEFAULT 5000 NOT NULL,
    enqueue_batch integer DEFAULT 5000 NOT NULL,
    backoff_base interval DEFAULT '00:01:00'::interval NOT NULL,
    backoff_cap interval DEFAULT '01:00:00'::interval NOT NULL,
    park_after integer DEFAULT 6 NOT NULL,
    parked_retry interval DEFAULT '06:00:00'::interval NOT NULL,
    max_deliveries integer DEFAULT 3 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    full_refresh_every interval DEFAULT '1 day'::interval NOT NULL,
    CONSTRAINT sync_queue_settings_budget_check CHECK (((worker_budget_seconds >= 5) AND (worker_budget_seconds <= 300))),
    CONSTRAINT sync_queue_settings_deadline_check CHECK (((org_deadline_seconds >= 1) AND (org_deadline_seconds <= 240))),
    CONSTRAINT sync_queue_settings_job_check CHECK ((job = ANY (ARRAY['crm'::text, 'chatter'::text]))),
    CONSTRAINT sync_queue_settings_park_check CHECK ((park_after > 0)),
    CONSTRAINT sync_queue_settings_refresh_check CHECK (((full_refresh_every >= '01:00:00'::interval) AND (full_refresh_every <= '30 days'::interval) AND (EXTRACT(month FROM full_refresh_every) = (0)::numeric))),
    CONSTRAINT sync_queue_settings_workers_check CHECK (((max_workers >= 0) AND (max_workers <= 500)))
);

ALTER TABLE ONLY public.sync_queue_settings
    ADD CONSTRAINT sync_queue_settings_pkey PRIMARY KEY (job);

ALTER TABLE public.sync_queue_settings ENABLE ROW LEVEL SECURITY;

REVOKE ALL ON TABLE public.sync_queue_settings FROM anon, authenticated, service_role;
GRANT SELECT ON TABLE public.sync_queue_settings TO service_role;

INSERT INTO public.sync_queue_settings (job, max_workers, period, worker_budget_seconds, org_deadline_seconds, wake_lease_seconds, wake_timeout_ms, enqueue_batch, backoff_base, backoff_cap, park_after, parked_retry, max_deliveries, full_refresh_every) VALUES ('chatter', '20', '00:15:00', '90', '40', '30', '5000', '5000', '00:01:00', '01:00:00', '6', '06:00:00', '3', '1 day') ON CONFLICT DO NOTHING;

INSERT INTO public.sync_queue_settings (job, max_workers, period, worker_budget_seconds, org_deadline_seconds, wake_lease_seconds, wake_timeout_ms, enqueue_batch, backoff_base, backoff_cap, park_after, parked_retry, max_deliveries, full_refresh_every) VALUES ('crm', '20', '00:15:00', '90', '40', '30', '5000', '5000', '00:01:00', '01:00:00', '6', '06:00:00', '3', '1 day') ON CONFLICT DO NOTHING;
