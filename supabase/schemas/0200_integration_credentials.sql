-- supabase/schemas/0200_integration_credentials.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.integration_credentials (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    org_id uuid NOT NULL,
    integration_type text NOT NULL,
    vault_secret_id uuid NOT NULL,
    base_url text,
    database_name text,
    login text,
    settings jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT integration_credentials_type_check CHECK ((integration_type = ANY (ARRAY['odoo'::text, 'xledger'::text, 'dynamics'::text])))
);

COMMENT ON TABLE public.integration_credentials IS 'Per-org integration settings. The secret itself is in Vault (vault_secret_id); read it only through public.get_integration_credential (service_role).';

ALTER TABLE ONLY public.integration_credentials
    ADD CONSTRAINT integration_credentials_pkey PRIMARY KEY (id);

CREATE UNIQUE INDEX integration_credentials_org_type_key ON public.integration_credentials USING btree (org_id, integration_type);

ALTER TABLE ONLY public.integration_credentials
    ADD CONSTRAINT integration_credentials_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE public.integration_credentials ENABLE ROW LEVEL SECURITY;

REVOKE ALL ON TABLE public.integration_credentials FROM anon, authenticated, service_role;
GRANT ALL ON TABLE public.integration_credentials TO service_role;
