-- supabase/schemas/0700_sync_org_state.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.sync_org_state (
    org_id uuid NOT NULL,
    job text NOT NULL,
    last_success_at timestamp with time zone,
    last_finished_at timestamp with time zone,
    last_status text,
    last_error text,
    consecutive_failures integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone,
    last_run_id bigint,
    enrolled_at timestamp with time zone DEFAULT now() NOT NULL,
    next_due_at timestamp with time zone DEFAULT now() NOT NULL,
    next_mode text DEFAULT 'incremental'::text NOT NULL,
    msg_id bigint,
    run_id bigint,
    lease_until timestamp with time zone,
    run_manual boolean DEFAULT false NOT NULL,
    parked_at timestamp with time zone,
    seq_period timestamp with time zone,
    seq integer DEFAULT 0 NOT NULL,
    CONSTRAINT sync_org_state_mode_check CHECK ((next_mode = ANY (ARRAY['incremental'::text, 'full'::text])))
);

COMMENT ON COLUMN public.sync_org_state.next_due_at IS 'When the next message is enqueued (set by finish/fail, credential changes); the tick reads it by index.';

COMMENT ON COLUMN public.sync_org_state.msg_id IS 'The pgmq message outstanding for this organization and job, if any.';

COMMENT ON COLUMN public.sync_org_state.run_id IS 'The sync_runs row in progress (lease_until in the future), if any.';

ALTER TABLE ONLY public.sync_org_state
    ADD CONSTRAINT sync_org_state_pkey PRIMARY KEY (org_id, job);

CREATE INDEX sync_org_state_due_idx ON public.sync_org_state USING btree (job, next_due_at) WHERE (msg_id IS NULL);

CREATE INDEX sync_org_state_failing_idx ON public.sync_org_state USING btree (org_id) WHERE (consecutive_failures > 0);

CREATE INDEX sync_org_state_fresh_idx ON public.sync_org_state USING btree (COALESCE(last_success_at, enrolled_at));

CREATE INDEX sync_org_state_queued_idx ON public.sync_org_state USING btree (job, next_due_at) WHERE (msg_id IS NOT NULL);

ALTER TABLE ONLY public.sync_org_state
    ADD CONSTRAINT sync_org_state_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE public.sync_org_state ENABLE ROW LEVEL SECURITY;

REVOKE ALL ON TABLE public.sync_org_state FROM anon, authenticated, service_role;
GRANT SELECT ON TABLE public.sync_org_state TO service_role;
