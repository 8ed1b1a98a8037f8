-- supabase/schemas/3100_functions_credentials.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE FUNCTION public.get_integration_credential(p_org_id uuid, p_integration_type text) RETURNS TABLE(org_id uuid, integration_type text, base_url text, database_name text, login text, settings jsonb, secret text, updated_at timestamp with time zone)
    LANGUAGE sql STABLE STRICT SECURITY DEFINER
    SET search_path TO ''
    AS $_$
  select c.org_id, c.integration_type, c.base_url, c.database_name, c.login, c.settings,
    s.decrypted_secret, c.updated_at
  from public.integration_credentials c
  left join vault.decrypted_secrets s on s.id = c.vault_secret_id
  where c.org_id = $1 and c.integration_type = $2
$_$;

CREATE FUNCTION public.upsert_integration_credential(p_org_id uuid, p_integration_type text, p_secret text DEFAULT NULL::text, p_base_url text DEFAULT NULL::text, p_database_name text DEFAULT NULL::text, p_login text DEFAULT NULL::text, p_settings jsonb DEFAULT NULL::jsonb) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_name text := 'integration:' || p_org_id::text || ':' || p_integration_type;
  v_secret_id uuid;
  v_id uuid;
begin
  if p_org_id is null or p_integration_type is null then
    raise exception 'org_id and integration_type are required' using errcode = '22004';
  end if;
  -- Serialises concurrent upserts of the same credential (vault names are unique).
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(v_name, 0));

  select c.vault_secret_id into v_secret_id
  from public.integration_credentials c
  where c.org_id = p_org_id and c.integration_type = p_integration_type;
  if v_secret_id is null or not exists (select 1 from vault.secrets s where s.id = v_secret_id) then
    select s.id into v_secret_id from vault.secrets s where s.name = v_name;
  end if;

  if v_secret_id is null then
    if p_secret is null then
      raise exception 'a secret is required for a new credential' using errcode = '22004';
    end if;
    v_secret_id := vault.create_secret(p_secret, v_name, 'edge-guard integration credential');
  elsif p_secret is not null then
    perform vault.update_secret(v_secret_id, p_secret, v_name);
  end if;

  insert into public.integration_credentials as c
    (org_id, integration_type, vault_secret_id, base_url, database_name, login, settings)
  values (p_org_id, p_integration_type, v_secret_id, p_base_url, p_database_name, p_login,
    coalesce(p_settings, '{}'::jsonb))
  on conflict (org_id, integration_type) do update
  set vault_secret_id = excluded.vault_secret_id,
    base_url = coalesce(p_base_url, c.base_url),
    database_name = coalesce(p_database_name, c.database_name),
    login = coalesce(p_login, c.login),
    settings = coalesce(p_settings, c.settings),
    updated_at = pg_catalog.now()
  returning c.id into v_id;
  return v_id;
end
$$;

REVOKE ALL ON FUNCTION public.get_integration_credential(p_org_id uuid, p_integration_type text) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.get_integration_credential(p_org_id uuid, p_integration_type text) TO service_role;

REVOKE ALL ON FUNCTION public.upsert_integration_credential(p_org_id uuid, p_integration_type text, p_secret text, p_base_url text, p_database_name text, p_login text, p_settings jsonb) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.upsert_integration_credential(p_org_id uuid, p_integration_type text, p_secret text, p_base_url text, p_database_name text, p_login text, p_settings jsonb) TO service_role;
