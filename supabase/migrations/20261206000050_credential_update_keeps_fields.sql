-- upsert_integration_credential changes only what it is given (issue 23): rotating
-- an Odoo key with only p_secret used to set base_url, database_name and login to
-- NULL (and settings to '{}'), so the next sync failed with credential_missing.
-- A null argument now means "keep"; on a new credential it stays null as before.
-- p_settings defaults to null (keep) instead of '{}'; pass '{}' to clear it.
-- Safe to run more than once, on a real Supabase project and on the local stack.

create or replace function public.upsert_integration_credential(
  p_org_id uuid,
  p_integration_type text,
  p_secret text default null,
  p_base_url text default null,
  p_database_name text default null,
  p_login text default null,
  p_settings jsonb default null
)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
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

revoke all on function public.upsert_integration_credential(uuid, text, text, text, text, text, jsonb)
  from public, anon, authenticated;
grant execute on function public.upsert_integration_credential(uuid, text, text, text, text, text, jsonb)
  to service_role;
