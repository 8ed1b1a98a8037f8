-- LOCAL STACK ONLY. Never apply to a real Supabase project: the platform ships
-- the real `supabase_vault` extension (libsodium AEAD, key outside the database).
--
-- Stand-in for Supabase Vault with the real names, columns and signatures
-- (supabase/vault 0.3.x): table `vault.secrets`, view `vault.decrypted_secrets`,
-- `vault.create_secret(...) returns uuid`, `vault.update_secret(...) returns void`.
-- Secrets are stored encrypted (pgcrypto PGP symmetric, base64 text like the
-- real column) with a random per-cluster key kept in `vault._local_key`, which
-- no API role can read. Applied by `supabase_admin`, which owns the schema.
-- create_secret / update_secret are SECURITY DEFINER with an empty search_path,
-- as in supabase/vault sql/supabase_vault--0.3.0.sql. Grants as on the
-- platform (supabase/postgres
-- ansible/files/postgresql_extension_custom_scripts/supabase_vault/after-create.sql):
-- postgres and service_role get usage on the schema, select and delete on
-- vault.secrets and vault.decrypted_secrets, and execute on create_secret,
-- update_secret and the decrypt function; no insert or update on the table.
-- Difference: the nonce column is filled but unused. Re-runnable.

create schema if not exists vault;
revoke all on schema vault from public;

create table if not exists vault._local_key (
  singleton boolean primary key default true check (singleton),
  key text not null default encode(extensions.gen_random_bytes(32), 'base64')
);
insert into vault._local_key default values on conflict do nothing;
revoke all on vault._local_key from public;

create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea default extensions.gen_random_bytes(16),
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);
comment on table vault.secrets is
  'Local stand-in: encrypted `secret` column for sensitive information on disk.';
create unique index if not exists secrets_name_idx on vault.secrets (name) where name is not null;

-- Binds each ciphertext to its row id, as the real AEAD does with `additional`.
create or replace function vault._local_encrypt(plain text, secret_id uuid)
returns text
language sql volatile security definer
set search_path = ''
as $$
  select pg_catalog.encode(
    extensions.pgp_sym_encrypt(plain, k.key || ':' || secret_id::text), 'base64')
  from vault._local_key k
$$;

create or replace function vault._local_decrypt(cipher text, secret_id uuid)
returns text
language sql stable security definer
set search_path = ''
as $$
  select extensions.pgp_sym_decrypt(
    pg_catalog.decode(cipher, 'base64'), k.key || ':' || secret_id::text)
  from vault._local_key k
$$;
revoke all on function vault._local_encrypt(text, uuid), vault._local_decrypt(text, uuid)
  from public;

create or replace view vault.decrypted_secrets as
select s.id,
  s.name,
  s.description,
  s.secret,
  vault._local_decrypt(s.secret, s.id) as decrypted_secret,
  s.key_id,
  s.nonce,
  s.created_at,
  s.updated_at
from vault.secrets s;

create or replace function vault.create_secret(
  new_secret text,
  new_name text = null,
  new_description text = '',
  -- unused, as in the real extension
  new_key_id uuid = null
)
returns uuid
language plpgsql security definer
set search_path = ''
as $$
declare
  new_id uuid := pg_catalog.gen_random_uuid();
begin
  insert into vault.secrets (id, secret, name, description)
  values (new_id, vault._local_encrypt(new_secret, new_id), new_name, new_description);
  return new_id;
end
$$;

create or replace function vault.update_secret(
  secret_id uuid,
  new_secret text = null,
  new_name text = null,
  new_description text = null,
  -- unused, as in the real extension
  new_key_id uuid = null
)
returns void
language plpgsql security definer
set search_path = ''
as $$
begin
  update vault.secrets s
  set
    secret = case when new_secret is null then s.secret
                  else vault._local_encrypt(new_secret, s.id) end,
    name = coalesce(new_name, s.name),
    description = coalesce(new_description, s.description),
    updated_at = now()
  where s.id = secret_id;
end
$$;

revoke all on all tables in schema vault from public, anon, authenticated, service_role;
revoke all on function vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid) from public, anon, authenticated;
grant usage on schema vault to postgres with grant option;
grant usage on schema vault to service_role;
grant select, delete on vault.secrets, vault.decrypted_secrets to postgres with grant option;
grant select, delete on vault.secrets, vault.decrypted_secrets to service_role;
grant execute on function vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid), vault._local_decrypt(text, uuid)
  to postgres with grant option;
grant execute on function vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid), vault._local_decrypt(text, uuid)
  to service_role;
