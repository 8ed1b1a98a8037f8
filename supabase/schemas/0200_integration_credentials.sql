-- supabase/schemas/0200_integration_credentials.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE FUNCTION public.track_sync_credential() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  r record;
begin
  if tg_op in ('UPDATE', 'DELETE') and old.integration_type = 'odoo' then
    for r in select s.job, s.msg_id from public.sync_org_state s
      where s.org_id = old.org_id and s.msg_id is not null loop
      perform pgmq.delete('odoo_sync_' || r.job, r.msg_id);
    end loop;
    if tg_op = 'DELETE' or new.integration_type <> 'odoo' then
      delete from public.sync_org_state s where s.org_id = old.org_id;
      return null;
    end if;
  end if;
  if new.integration_type = 'odoo' then
    insert into public.sync_org_state as s (org_id, job, enrolled_at, next_due_at)
    select new.org_id, j.job, coalesce(new.created_at, now()), now()
    from (values ('crm'), ('chatter')) j(job)
    on conflict (org_id, job) do update
      set next_due_at = now(), msg_id = null, consecutive_failures = 0, parked_at = null,
        next_attempt_at = null;
  end if;
  return null;
end
$$;

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

CREATE TRIGGER integration_credentials_track_sync AFTER INSERT OR DELETE OR UPDATE ON public.integration_credentials FOR EACH ROW EXECUTE FUNCTION public.track_sync_credential();

ALTER TABLE ONLY public.integration_credentials
    ADD CONSTRAINT integration_credentials_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE public.integration_credentials ENABLE ROW LEVEL SECURITY;

REVOKE ALL ON FUNCTION public.track_sync_credential() FROM PUBLIC, anon, authenticated, service_role;

REVOKE ALL ON TABLE public.integration_credentials FROM anon, authenticated, service_role;
GRANT ALL ON TABLE public.integration_credentials TO service_role;
