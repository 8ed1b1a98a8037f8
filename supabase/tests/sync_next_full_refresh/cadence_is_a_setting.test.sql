-- public.sync_next_full_refresh with another cadence: a 6-hour cadence puts every
-- organization's slot within 6 hours; sync_queue_settings.full_refresh_every
-- refuses a cadence under an hour or counted in months.
-- Runs as the non-superuser postgres; rolls back.
begin;
create extension if not exists pgtap;
select plan(3);

select is((select count(*)::int from generate_series(1, 2000) i
  where public.sync_next_full_refresh(pg_catalog.md5(i::text)::uuid,
    timestamptz '2026-12-01 00:00:00+00', interval '6 hours')
    not between timestamptz '2026-12-01 00:00:01+00' and timestamptz '2026-12-01 06:00:00+00'),
  0, 'a 6-hour cadence: each slot within the next 6 hours');
select throws_ok($$update public.sync_queue_settings set full_refresh_every = interval '5 minutes'$$,
  '23514', null, 'a cadence under an hour is refused');
select throws_ok($$update public.sync_queue_settings set full_refresh_every = interval '1 month'$$,
  '23514', null, 'a cadence in months is refused');

select * from finish();
rollback;
