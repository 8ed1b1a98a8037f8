-- Organizations and per-organization integration credentials.
-- Safe to run more than once, on a real Supabase project and on the local stack.
-- Secret values never live in this schema: integration_credentials holds only the
-- Vault secret id plus non-secret settings (see ..._credentials.sql).

create table if not exists public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists public.integration_credentials (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  integration_type text not null
    constraint integration_credentials_type_check
    check (integration_type in ('odoo', 'xledger', 'dynamics')),
  -- Vault secret (vault.secrets.id) holding the API key / password / token.
  -- No foreign key: vault.secrets belongs to the supabase_vault extension.
  vault_secret_id uuid not null,
  base_url text,
  database_name text,
  login text,
  settings jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- One credential per (org, type); also the index the credential lookup uses.
create unique index if not exists integration_credentials_org_type_key
  on public.integration_credentials (org_id, integration_type);

comment on table public.integration_credentials is
  'Per-org integration settings. The secret itself is in Vault (vault_secret_id); '
  'read it only through public.get_integration_credential (service_role).';
