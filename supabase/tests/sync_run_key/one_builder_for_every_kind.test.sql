-- public.sync_run_key (supabase/schemas/3300_functions_odoo_sync.sql): the one
-- builder of every sync run's idempotency key, per kind of run: a queued
-- organization (org), an admin's "sync now" (manual), a service call naming
-- the organization (service), and the run over every organization (all); a
-- full resync, a second run in a period and a redelivery each get their own.
begin;
create extension if not exists pgtap;
select plan(1);

select results_eq(
  $$select public.sync_run_key(j, o, m, k, timestamptz '2026-11-23T10:15:00Z', s, d)
    from (values
      ('crm', 'a1000000-0000-4000-8000-0000000000a1'::uuid, 'incremental', 'org', 1, 1, 1),
      ('crm', 'a1000000-0000-4000-8000-0000000000a1'::uuid, 'full', 'org', 1, 1, 2),
      ('chatter', 'a1000000-0000-4000-8000-0000000000a1'::uuid, 'incremental', 'manual', 1, 1, 3),
      ('crm', 'a1000000-0000-4000-8000-0000000000a1'::uuid, 'incremental', 'service', 1, 1, 4),
      ('crm', null, 'incremental', 'all', 1, 1, 5),
      ('chatter', null, 'full', 'all', 1, 1, 6),
      ('crm', 'a1000000-0000-4000-8000-0000000000a1'::uuid, 'incremental', 'org', 2, 3, 7))
      as t(j, o, m, k, s, d, n) order by n$$,
  $$values
    ('odoo:crm:org:a1000000-0000-4000-8000-0000000000a1:2026-11-23T10:15Z'),
    ('odoo:crm:full:org:a1000000-0000-4000-8000-0000000000a1:2026-11-23T10:15Z'),
    ('odoo:chatter:manual:a1000000-0000-4000-8000-0000000000a1:2026-11-23T10:15Z'),
    ('odoo:crm:service:a1000000-0000-4000-8000-0000000000a1:2026-11-23T10:15Z'),
    ('odoo:crm:2026-11-23T10:15Z'),
    ('odoo:chatter:full:2026-11-23T10:15Z'),
    ('odoo:crm:org:a1000000-0000-4000-8000-0000000000a1:2026-11-23T10:15Z:2:r3')$$,
  'one key per kind, mode, period, sequence and delivery');

select * from finish();
rollback;
