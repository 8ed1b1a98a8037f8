-- supabase/schemas/0100_organizations.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.organizations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.organizations
    ADD CONSTRAINT organizations_pkey PRIMARY KEY (id);

ALTER TABLE public.organizations ENABLE ROW LEVEL SECURITY;

CREATE POLICY organizations_select_own_org ON public.organizations FOR SELECT TO authenticated USING ((id = ( SELECT public.current_org_id() AS current_org_id)));

REVOKE ALL ON TABLE public.organizations FROM anon, authenticated, service_role;
GRANT ALL ON TABLE public.organizations TO service_role;
GRANT SELECT ON TABLE public.organizations TO authenticated;
