-- supabase/schemas/0600_sync_runs.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.sync_runs (
    id bigint NOT NULL,
    idempotency_key text NOT NULL,
    integration text NOT NULL,
    job text NOT NULL,
    scheduled_for timestamp with time zone NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    status text DEFAULT 'running'::text NOT NULL,
    counts jsonb DEFAULT '{}'::jsonb NOT NULL,
    org_results jsonb DEFAULT '{}'::jsonb NOT NULL,
    error_summary text,
    org_id uuid,
    dispatched_at timestamp with time zone,
    request_id bigint,
    started_by text DEFAULT 'schedule'::text NOT NULL,
    CONSTRAINT sync_runs_started_by_check CHECK ((started_by = ANY (ARRAY['schedule'::text, 'admin'::text, 'service'::text]))),
    CONSTRAINT sync_runs_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'running'::text, 'succeeded'::text, 'failed'::text, 'partial'::text])))
);

COMMENT ON COLUMN public.sync_runs.org_id IS 'The one organization of a per-organization run (a queue worker''s, a service call naming org_id, or sync now); null for a run over every organization.';

COMMENT ON COLUMN public.sync_runs.request_id IS 'pg_net request id of a dispatched run (net._http_response.id, public.cron_http_requests.request_id).';

COMMENT ON COLUMN public.sync_runs.started_by IS 'Who started the run: schedule (a queue worker), admin (an integration admin''s "sync now") or service (a service call, for one organization or all).';

ALTER TABLE public.sync_runs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.sync_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

ALTER TABLE ONLY public.sync_runs
    ADD CONSTRAINT sync_runs_idempotency_key_key UNIQUE (idempotency_key);

ALTER TABLE public.sync_runs
    ADD CONSTRAINT sync_runs_org_results_shape CHECK (public.sync_org_results_valid(org_results)) NOT VALID;

ALTER TABLE ONLY public.sync_runs
    ADD CONSTRAINT sync_runs_pkey PRIMARY KEY (id);

CREATE INDEX sync_runs_finished_idx ON public.sync_runs USING btree (finished_at);

CREATE INDEX sync_runs_job_scheduled_idx ON public.sync_runs USING btree (integration, job, scheduled_for DESC);

CREATE INDEX sync_runs_org_period_idx ON public.sync_runs USING btree (org_id, job, scheduled_for) WHERE (org_id IS NOT NULL);

CREATE INDEX sync_runs_running_idx ON public.sync_runs USING btree (started_at) WHERE (status = 'running'::text);

ALTER TABLE ONLY public.sync_runs
    ADD CONSTRAINT sync_runs_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE public.sync_runs ENABLE ROW LEVEL SECURITY;

REVOKE ALL ON TABLE public.sync_runs FROM anon, authenticated, service_role;
GRANT ALL ON TABLE public.sync_runs TO service_role;

REVOKE ALL ON SEQUENCE public.sync_runs_id_seq FROM anon, authenticated, service_role;
GRANT ALL ON SEQUENCE public.sync_runs_id_seq TO service_role;
