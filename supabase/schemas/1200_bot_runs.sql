-- supabase/schemas/1200_bot_runs.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.bot_runs (
    id bigint NOT NULL,
    bot_id uuid NOT NULL,
    org_id uuid NOT NULL,
    scheduled_minute timestamp with time zone NOT NULL,
    status text DEFAULT 'running'::text NOT NULL,
    http_status integer,
    error text,
    response_excerpt text,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    CONSTRAINT bot_runs_status_check CHECK ((status = ANY (ARRAY['running'::text, 'succeeded'::text, 'failed'::text])))
);

ALTER TABLE public.bot_runs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.bot_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

ALTER TABLE ONLY public.bot_runs
    ADD CONSTRAINT bot_runs_bot_minute_key UNIQUE (bot_id, scheduled_minute);

ALTER TABLE ONLY public.bot_runs
    ADD CONSTRAINT bot_runs_pkey PRIMARY KEY (id);

CREATE INDEX bot_runs_org_started_idx ON public.bot_runs USING btree (org_id, started_at DESC);

ALTER TABLE ONLY public.bot_runs
    ADD CONSTRAINT bot_runs_bot_fkey FOREIGN KEY (bot_id, org_id) REFERENCES public.bots(id, org_id) ON DELETE CASCADE;

ALTER TABLE public.bot_runs ENABLE ROW LEVEL SECURITY;

CREATE POLICY bot_runs_select_own_org ON public.bot_runs FOR SELECT TO authenticated USING ((org_id = ( SELECT public.current_org_id() AS current_org_id)));

REVOKE ALL ON TABLE public.bot_runs FROM anon, authenticated, service_role;
GRANT ALL ON TABLE public.bot_runs TO service_role;
GRANT SELECT ON TABLE public.bot_runs TO authenticated;

REVOKE ALL ON SEQUENCE public.bot_runs_id_seq FROM anon, authenticated, service_role;
GRANT ALL ON SEQUENCE public.bot_runs_id_seq TO service_role;
