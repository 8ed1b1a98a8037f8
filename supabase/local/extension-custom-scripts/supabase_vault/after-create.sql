-- LOCAL STACK ONLY: supautils runs this as `supabase_admin` right after every
-- `create extension supabase_vault`, as hosted Supabase does with
-- supabase/postgres ansible/files/postgresql_extension_custom_scripts/supabase_vault/after-create.sql:
-- postgres and service_role may read and delete secrets and call
-- create_secret / update_secret, never write vault.secrets directly. Re-runnable.
grant usage on schema vault to postgres with grant option;
grant select, delete on vault.secrets, vault.decrypted_secrets to postgres with grant option;
grant execute on function vault.create_secret, vault.update_secret, vault._crypto_aead_det_decrypt
  to postgres with grant option;

grant usage on schema vault to service_role;
grant select, delete on vault.secrets, vault.decrypted_secrets to service_role;
grant execute on function vault.create_secret, vault.update_secret, vault._crypto_aead_det_decrypt
  to service_role;
