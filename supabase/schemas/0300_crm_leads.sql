-- supabase/schemas/0300_crm_leads.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.crm_leads (
    org_id uuid NOT NULL,
    odoo_id bigint NOT NULL,
    name text,
    partner_name text,
    email_from text,
    stage_id bigint,
    stage_name text,
    user_id bigint,
    user_name text,
    probability numeric,
    expected_revenue numeric,
    active boolean DEFAULT true NOT NULL,
    create_date timestamp with time zone,
    write_date timestamp with time zone,
    raw jsonb DEFAULT '{}'::jsonb NOT NULL,
    synced_at timestamp with time zone DEFAULT now() NOT NULL,
    deleted_at timestamp with time zone
);

ALTER TABLE ONLY public.crm_leads
    ADD CONSTRAINT crm_leads_pkey PRIMARY KEY (org_id, odoo_id);

CREATE INDEX crm_leads_org_stage_idx ON public.crm_leads USING btree (org_id, stage_id);

CREATE INDEX crm_leads_org_write_date_idx ON public.crm_leads USING btree (org_id, write_date, odoo_id);

ALTER TABLE ONLY public.crm_leads
    ADD CONSTRAINT crm_leads_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE public.crm_leads ENABLE ROW LEVEL SECURITY;

CREATE POLICY crm_leads_select_own_org ON public.crm_leads FOR SELECT TO authenticated USING (((org_id = ( SELECT public.current_org_id() AS current_org_id)) AND (deleted_at IS NULL)));

REVOKE ALL ON TABLE public.crm_leads FROM anon, authenticated, service_role;
GRANT ALL ON TABLE public.crm_leads TO service_role;
GRANT SELECT ON TABLE public.crm_leads TO authenticated;
