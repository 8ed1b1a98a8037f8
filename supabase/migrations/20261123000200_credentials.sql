-- Service-role-only access to integration credentials.
-- Safe to run more than once, on a real Supabase project and on the local stack.
--
-- get_integration_credential: the one way to read a secret. A single query,
-- scoped by both parameters (org_id = $1 and integration_type = $2), so a call
-- for org A can only ever return org A's row. Strict: a null argument returns
-- no row.
-- upsert_integration_credential: stores the secret in Vault under the
-- deterministic name 'integration:<org_id>:<type>' and the settings here.

create or replace function public.get_integration_credential(
  p_org_id uuid,
  p_integration_type text
)
returns table (
  org_id uuid,
  integration_type text,
  base_url text,
  database_name text,
  login text,
  settings jsonb,
  secret text,
  updated_at timestamptz
)
language sql
stable
strict
security definer
set search_path = ''
as $$
  select c.org_id, c.integration_type, c.base_url, c.database_name, c.login, c.settings,
    s.decrypted_secret, c.updated_at
  from public.integration_credentials c
  left join vault.decrypted_secrets s on s.id = c.vault_secret_id
  where c.org_id = $1 and c.integration_type = $2
$$;

create or replace function public.upsert_integration_credential(
  p_org_id uuid,
  p_integration_type text,
  p_secret text default null,
  p_base_url text default null,
  p_database_name text default null,
  p_login text default null,
  p_settings jsonb default '{}'::jsonb
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
    base_url = excluded.base_url,
    database_name = excluded.database_name,
    login = excluded.login,
    settings = excluded.settings,
    updated_at = pg_catalog.now()
  returning c.id into v_id;
  return v_id;
end
$$;

revoke all on function public.get_integration_credential(uuid, text)
  from public, anon, authenticated;
revoke all on function public.upsert_integration_credential(uuid, text, text, text, text, text, jsonb)
  from public, anon, authenticated;
grant execute on function public.get_integration_credential(uuid, text) to service_role;
grant execute on function public.upsert_integration_credential(uuid, text, text, text, text, text, jsonb)
  to service_role;
