-- edge_guard.check_org_stalls through public.edge_guard_findings
-- (..._watchdog_stalls.sql): org_sync_stalled opens for an organization whose
-- sync made no progress in its last edge_guard_settings.stalled_runs runs (3),
-- naming the position; not before, not for an organization the queue has not
-- enrolled (no credential, so no sync_org_state row).
-- Runs as the non-superuser postgres; rolls back.
begin;
create extension if not exists pgtap;
select plan(4);

insert into public.organizations (id, name) values
  ('a0000000-0000-4000-8000-00000000000a', 'Stalled'),
  ('b0000000-0000-4000-8000-00000000000b', 'Gone');
insert into public.integration_credentials (org_id, integration_type, vault_secret_id)
values ('a0000000-0000-4000-8000-00000000000a', 'odoo', gen_random_uuid());
insert into public.sync_cursors (org_id, job, cursor_write_date, cursor_id, pass_write_date,
  pass_id, stalled_runs)
values ('a0000000-0000-4000-8000-00000000000a', 'crm', '2026-12-01 09:00:00+00', 90000,
  '2026-12-01 09:00:00+00', 12000, 2),
  ('b0000000-0000-4000-8000-00000000000b', 'crm', null, null, null, null, 9);
select is((select count(*)::int from public.edge_guard_findings() where check_id = 'org_sync_stalled'),
  0, 'two runs without progress: not yet; no credential: never');
update public.sync_cursors set stalled_runs = 3
where org_id = 'a0000000-0000-4000-8000-00000000000a';
select results_eq($$select subject, detail like 'crm made no forward progress in its last 3 runs (position % id 12000, last progress never)'
  from public.edge_guard_findings() where check_id = 'org_sync_stalled'$$,
  $$values ('org:a0000000-0000-4000-8000-00000000000a', true)$$,
  'three runs without progress alert that organization, naming the position');
update public.edge_guard_settings set stalled_runs = 5;
select is((select count(*)::int from public.edge_guard_findings() where check_id = 'org_sync_stalled'),
  0, 'the threshold is a setting');
update public.edge_guard_settings set stalled_runs = 3;
update public.sync_cursors set stalled_runs = 0, progressed_at = now()
where org_id = 'a0000000-0000-4000-8000-00000000000a';
select is((select count(*)::int from public.edge_guard_findings() where check_id = 'org_sync_stalled'),
  0, 'a run that moved resets it');

select * from finish();
rollback;
