-- supabase/schemas/0400_crm_lead_messages.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.crm_lead_messages (
    org_id uuid NOT NULL,
    odoo_id bigint NOT NULL,
    res_id bigint NOT NULL,
    body text,
    author_id bigint,
    author_name text,
    message_type text,
    subtype text,
    date timestamp with time zone,
    write_date timestamp with time zone,
    raw jsonb DEFAULT '{}'::jsonb NOT NULL,
    synced_at timestamp with time zone DEFAULT now() NOT NULL,
    deleted_at timestamp with time zone
);

ALTER TABLE ONLY public.crm_lead_messages
    ADD CONSTRAINT crm_lead_messages_pkey PRIMARY KEY (org_id, odoo_id);

CREATE INDEX crm_lead_messages_org_res_idx ON public.crm_lead_messages USING btree (org_id, res_id, date);

ALTER TABLE ONLY public.crm_lead_messages
    ADD CONSTRAINT crm_lead_messages_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE public.crm_lead_messages ENABLE ROW LEVEL SECURITY;

CREATE POLICY crm_lead_messages_select_own_org ON public.crm_lead_messages FOR SELECT TO authenticated USING (((org_id = ( SELECT public.current_org_id() AS current_org_id)) AND (deleted_at IS NULL)));

REVOKE ALL ON TABLE public.crm_lead_messages FROM anon, authenticated, service_role;
GRANT ALL ON TABLE public.crm_lead_messages TO service_role;
GRANT SELECT ON TABLE public.crm_lead_messages TO authenticated;
