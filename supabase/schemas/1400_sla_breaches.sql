-- supabase/schemas/1400_sla_breaches.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.sla_breaches (
    id bigint NOT NULL,
    policy_id uuid NOT NULL,
    org_id uuid NOT NULL,
    lead_odoo_id bigint NOT NULL,
    detected_at timestamp with time zone DEFAULT now() NOT NULL,
    last_progress_at timestamp with time zone,
    hours_overdue numeric DEFAULT 0 NOT NULL,
    resolved_at timestamp with time zone
);

ALTER TABLE public.sla_breaches ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.sla_breaches_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

ALTER TABLE ONLY public.sla_breaches
    ADD CONSTRAINT sla_breaches_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.sla_breaches
    ADD CONSTRAINT sla_breaches_policy_org_lead_key UNIQUE (policy_id, org_id, lead_odoo_id);

CREATE INDEX sla_breaches_org_detected_idx ON public.sla_breaches USING btree (org_id, detected_at DESC);

CREATE INDEX sla_breaches_org_lead_idx ON public.sla_breaches USING btree (org_id, lead_odoo_id);

ALTER TABLE ONLY public.sla_breaches
    ADD CONSTRAINT sla_breaches_lead_fkey FOREIGN KEY (org_id, lead_odoo_id) REFERENCES public.crm_leads(org_id, odoo_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.sla_breaches
    ADD CONSTRAINT sla_breaches_policy_fkey FOREIGN KEY (policy_id, org_id) REFERENCES public.sla_policies(id, org_id) ON DELETE CASCADE;

ALTER TABLE public.sla_breaches ENABLE ROW LEVEL SECURITY;

CREATE POLICY sla_breaches_select_own_org ON public.sla_breaches FOR SELECT TO authenticated USING ((org_id = ( SELECT public.current_org_id() AS current_org_id)));

REVOKE ALL ON TABLE public.sla_breaches FROM anon, authenticated, service_role;
GRANT ALL ON TABLE public.sla_breaches TO service_role;
GRANT SELECT ON TABLE public.sla_breaches TO authenticated;

REVOKE ALL ON SEQUENCE public.sla_breaches_id_seq FROM anon, authenticated, service_role;
GRANT ALL ON SEQUENCE public.sla_breaches_id_seq TO service_role;
