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
    last_run_id bigint
);

ALTER TABLE ONLY public.sync_org_state
    ADD CONSTRAINT sync_org_state_pkey PRIMARY KEY (org_id, job);

ALTER TABLE ONLY public.sync_org_state
    ADD CONSTRAINT sync_org_state_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE public.sync_org_state ENABLE ROW LEVEL SECURITY;

REVOKE ALL ON TABLE public.sync_org_state FROM anon, authenticated, service_role;
GRANT SELECT ON TABLE public.sync_org_state TO service_role;
