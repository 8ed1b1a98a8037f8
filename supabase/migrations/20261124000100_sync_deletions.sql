-- Deletions in Odoo reflected in the synced tables (issue 12).
-- Safe to run more than once, on a real Supabase project and on the local stack.
--
-- Odoo's unlink (and a lead merge, which unlinks the merged leads) leaves no
-- tombstone, so the sync's reconciliation compares the ids Odoo still has with
-- ours and marks the missing rows deleted. Soft delete (a timestamp) rather
-- than DELETE, because:
--   * sla_breaches references crm_leads with ON DELETE CASCADE: a hard delete
--     would erase the breach history of a lead someone deleted;
--   * a reconciliation can be wrong for a while (the integration user lost a
--     record rule, a partial restore): the row comes back, unchanged, the next
--     time Odoo returns it (the upsert clears deleted_at);
--   * "when did it disappear" stays answerable.
-- Every reader ignores deleted rows: the SLA check, and members through RLS.

alter table public.crm_leads add column if not exists deleted_at timestamptz;
alter table public.crm_lead_messages add column if not exists deleted_at timestamptz;

-- When the (org, job) was last reconciled (null = never): an incremental run
-- reconciles when this is older than a day.
alter table public.sync_cursors add column if not exists reconciled_at timestamptz;

-- Members never read deleted rows (replaces the policies of 20261123000400_rls.sql).
drop policy if exists crm_leads_select_own_org on public.crm_leads;
create policy crm_leads_select_own_org on public.crm_leads
  for select to authenticated
  using (org_id = (select public.current_org_id()) and deleted_at is null);

drop policy if exists crm_lead_messages_select_own_org on public.crm_lead_messages;
create policy crm_lead_messages_select_own_org on public.crm_lead_messages
  for select to authenticated
  using (org_id = (select public.current_org_id()) and deleted_at is null);
