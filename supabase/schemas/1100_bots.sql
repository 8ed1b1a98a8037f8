-- supabase/schemas/1100_bots.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.bots (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    org_id uuid NOT NULL,
    name text NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    interval_minutes integer DEFAULT 60 NOT NULL,
    next_run_at timestamp with time zone DEFAULT now() NOT NULL,
    action text DEFAULT 'webhook'::text NOT NULL,
    webhook_url text NOT NULL,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    timeout_ms integer DEFAULT 10000 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT bots_action_check CHECK ((action = 'webhook'::text)),
    CONSTRAINT bots_interval_check CHECK (((interval_minutes >= 1) AND (interval_minutes <= 525600))),
    CONSTRAINT bots_timeout_check CHECK (((timeout_ms >= 100) AND (timeout_ms <= 120000)))
);

ALTER TABLE ONLY public.bots
    ADD CONSTRAINT bots_id_org_key UNIQUE (id, org_id);

ALTER TABLE ONLY public.bots
    ADD CONSTRAINT bots_org_name_key UNIQUE (org_id, name);

ALTER TABLE ONLY public.bots
    ADD CONSTRAINT bots_pkey PRIMARY KEY (id);

CREATE INDEX bots_due_idx ON public.bots USING btree (enabled, next_run_at);

ALTER TABLE ONLY public.bots
    ADD CONSTRAINT bots_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE public.bots ENABLE ROW LEVEL SECURITY;

CREATE POLICY bots_select_own_org ON public.bots FOR SELECT TO authenticated USING ((org_id = ( SELECT public.current_org_id() AS current_org_id)));

REVOKE ALL ON TABLE public.bots FROM anon, authenticated, service_role;
GRANT ALL ON TABLE public.bots TO service_role;
GRANT SELECT ON TABLE public.bots TO authenticated;
