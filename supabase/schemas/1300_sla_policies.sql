-- supabase/schemas/1300_sla_policies.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.sla_policies (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    org_id uuid NOT NULL,
    name text NOT NULL,
    stage_id bigint,
    stage_name text,
    max_hours_without_progress numeric NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT sla_policies_hours_check CHECK ((max_hours_without_progress > (0)::numeric))
);

ALTER TABLE ONLY public.sla_policies
    ADD CONSTRAINT sla_policies_id_org_key UNIQUE (id, org_id);

ALTER TABLE ONLY public.sla_policies
    ADD CONSTRAINT sla_policies_org_name_key UNIQUE (org_id, name);

ALTER TABLE ONLY public.sla_policies
    ADD CONSTRAINT sla_policies_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.sla_policies
    ADD CONSTRAINT sla_policies_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE public.sla_policies ENABLE ROW LEVEL SECURITY;

CREATE POLICY sla_policies_select_own_org ON public.sla_policies FOR SELECT TO authenticated USING ((org_id = ( SELECT public.current_org_id() AS current_org_id)));

REVOKE ALL ON TABLE public.sla_policies FROM anon, authenticated, service_role;
GRANT ALL ON TABLE public.sla_policies TO service_role;
GRANT SELECT ON TABLE public.sla_policies TO authenticated;
