-- Row level security and grants for every table in this schema.
-- Safe to run more than once, on a real Supabase project and on the local stack.
--
-- Model: a signed-in user (`authenticated`) may only READ rows of the
-- organization named in the verified token's app_metadata.claims.organization_id
-- (never user_metadata, which users can write). Only the service role writes
-- (it bypasses RLS). anon gets nothing. integration_credentials and sync_runs
-- (which spans organizations) are not readable by any API role but service_role.

-- The caller's organization id, or null when the claim is missing or not a uuid
-- (so a garbage claim yields no rows instead of a cast error).
create or replace function public.current_org_id()
returns uuid
language sql
stable
set search_path = ''
as $$
  select case
    when v ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then v::uuid
  end
  from (
    select case when jsonb_typeof(auth.jwt() -> 'app_metadata' -> 'claims') = 'object'
      then auth.jwt() -> 'app_metadata' -> 'claims' ->> 'organization_id' end as v
  ) claim
$$;
revoke all on function public.current_org_id() from public, anon;
grant execute on function public.current_org_id() to authenticated, service_role;

do $$
declare
  t text;
  all_tables text[] := array[
    'organizations', 'integration_credentials', 'crm_leads', 'crm_lead_messages',
    'sync_cursors', 'sync_runs', 'bots', 'bot_runs', 'sla_policies', 'sla_breaches'];
  -- Tables whose rows a member of the organization may read.
  org_tables text[] := array[
    'crm_leads', 'crm_lead_messages', 'sync_cursors', 'bots', 'bot_runs',
    'sla_policies', 'sla_breaches'];
begin
  foreach t in array all_tables loop
    execute format('alter table public.%I enable row level security', t);
    execute format('revoke all on table public.%I from public, anon, authenticated', t);
    execute format('grant all on table public.%I to service_role', t);
  end loop;

  foreach t in array org_tables loop
    execute format('grant select on table public.%I to authenticated', t);
    execute format('drop policy if exists %I on public.%I', t || '_select_own_org', t);
    execute format(
      'create policy %I on public.%I for select to authenticated '
      'using (org_id = (select public.current_org_id()))',
      t || '_select_own_org', t);
  end loop;
end
$$;

grant select on table public.organizations to authenticated;
drop policy if exists organizations_select_own_org on public.organizations;
create policy organizations_select_own_org on public.organizations
  for select to authenticated
  using (id = (select public.current_org_id()));

do $$
declare
  seq text;
begin
  foreach seq in array array[
    pg_get_serial_sequence('public.sync_runs', 'id'),
    pg_get_serial_sequence('public.bot_runs', 'id'),
    pg_get_serial_sequence('public.sla_breaches', 'id')] loop
    execute format('revoke all on sequence %s from public, anon, authenticated', seq);
    execute format('grant usage, select on sequence %s to service_role', seq);
  end loop;
end
$$;
