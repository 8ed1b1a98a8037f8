-- Shared set-up of the sync queue suites (included with \ir; not a suite):
-- an empty queue, no workers, test Vault secrets, and five organizations
-- (temp table `orgs`: id, g) enrolled by their odoo credential. Every suite
-- runs in a transaction that rolls back.
do $$
begin
  delete from public.integration_credentials;
  delete from public.sync_org_state;
  delete from pgmq.q_odoo_sync_crm;
  delete from pgmq.q_odoo_sync_chatter;
  delete from pgmq.a_odoo_sync_crm;
  delete from public.sync_workers;
  delete from public.sync_runs;
  delete from vault.secrets where name in ('project_url', 'service_role_key');
  perform vault.create_secret('https://test-ref.supabase.co', 'project_url');
  perform vault.create_secret('sb_secret_TEST0123456789', 'service_role_key');
end
$$;
create temp table orgs as
select ('00000000-0000-4000-8000-' || lpad(g::text, 12, '0'))::uuid as id, g
from generate_series(1, 5) g;
do $$
begin
  insert into public.organizations (id, name) select id, 'Queue org ' || g from orgs
  on conflict (id) do nothing;
  perform public.upsert_integration_credential(id, 'odoo', 'k', 'https://odoo.invalid', 'db', 'login')
  from orgs;
end
$$;
