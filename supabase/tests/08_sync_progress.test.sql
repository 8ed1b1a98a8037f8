-- The sync always moves forward (..._sync_progress.sql, ..._watchdog_stalls.sql):
-- the full refresh's slots spread 10,000 organizations evenly over the day, the
-- one "is a full refresh due" decision, and the org_sync_stalled check. Runs as
-- the non-superuser postgres; rolls back.
begin isolation level repeatable read;
create extension if not exists pgtap;
select plan(12);

-- 10,000 organizations, daily cadence: the slot of each after midnight falls
-- in every hour of the day about equally (1/24 = 417 each), never bunched.
create temporary table slots as
select pg_catalog.md5(i::text)::uuid as org_id,
  public.sync_next_full_refresh(pg_catalog.md5(i::text)::uuid, timestamptz '2026-12-01 00:00:00+00',
    interval '1 day') as at
from generate_series(1, 10000) i;
select is((select count(*)::int from slots
  where at <= timestamptz '2026-12-01 00:00:00+00' or at > timestamptz '2026-12-02 00:00:00+00'),
  0, 'each slot is within the cadence after the given time');
select cmp_ok((select max(n) from (select count(*) as n from slots
  group by extract(hour from at at time zone 'UTC')) h), '<', 500::bigint,
  'no hour of the day holds more than 1.2 times its share (midnight included)');
select cmp_ok((select min(n) from (select count(*) as n from slots
  group by extract(hour from at at time zone 'UTC')) h), '>', 333::bigint,
  'no hour of the day holds less than 0.8 times its share');
select is((select count(*)::int from slots s
  where public.sync_next_full_refresh(s.org_id, s.at, interval '1 day') <> s.at + interval '1 day'),
  0, 'the next slot is one cadence later, at the same time of day');
select is((select count(*)::int from slots s
  where public.sync_next_full_refresh(s.org_id, timestamptz '2026-12-01 00:00:00+00', interval '6 hours')
    > timestamptz '2026-12-01 06:00:00+00'), 0, 'a 6-hour cadence: a slot within 6 hours');

-- The decision, for one organization.
insert into public.organizations (id, name) values
  ('f0000000-0000-4000-8000-00000000000f', 'Refreshed'),
  ('a0000000-0000-4000-8000-00000000000a', 'Stalled');
select is(public.sync_full_refresh_due('f0000000-0000-4000-8000-00000000000f', 'crm'), false,
  'never synced: not due (its first sync reads everything)');
insert into public.sync_cursors (org_id, job, refreshed_at)
values ('f0000000-0000-4000-8000-00000000000f', 'crm', now() - interval '1 minute');
select is(public.sync_full_refresh_due('f0000000-0000-4000-8000-00000000000f', 'crm', now()), false,
  'refreshed a minute ago: not due');
select is(public.sync_full_refresh_due('f0000000-0000-4000-8000-00000000000f', 'crm',
  now() + interval '1 day'), true, 'a day later its slot has come: due');
update public.sync_cursors set refresh_after_id = 500
where org_id = 'f0000000-0000-4000-8000-00000000000f';
select is(public.sync_full_refresh_due('f0000000-0000-4000-8000-00000000000f', 'crm', now()), true,
  'a refresh in progress is due until it ends');

-- org_sync_stalled: N runs in a row without progress (edge_guard_settings.stalled_runs, 3).
insert into public.integration_credentials (org_id, integration_type, vault_secret_id)
values ('a0000000-0000-4000-8000-00000000000a', 'odoo', gen_random_uuid());
insert into public.sync_cursors (org_id, job, cursor_write_date, cursor_id, pass_write_date,
  pass_id, stalled_runs)
values ('a0000000-0000-4000-8000-00000000000a', 'crm', '2026-12-01 09:00:00+00', 90000,
  '2026-12-01 09:00:00+00', 12000, 2);
select is((select count(*)::int from public.edge_guard_findings() where check_id = 'org_sync_stalled'),
  0, 'two runs without progress: not yet');
update public.sync_cursors set stalled_runs = 3
where org_id = 'a0000000-0000-4000-8000-00000000000a';
select results_eq($$select subject, detail like 'crm made no forward progress in its last 3 runs (position % id 12000, last progress never)'
  from public.edge_guard_findings() where check_id = 'org_sync_stalled'$$,
  $$values ('org:a0000000-0000-4000-8000-00000000000a', true)$$,
  'three runs without progress alert that organization, naming the position');
update public.edge_guard_settings set stalled_runs = 5;
select is((select count(*)::int from public.edge_guard_findings() where check_id = 'org_sync_stalled'),
  0, 'the threshold is a setting');

select * from finish();
rollback;
