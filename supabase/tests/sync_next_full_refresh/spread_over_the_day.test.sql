-- public.sync_next_full_refresh (..._sync_progress.sql): 10,000 organizations on
-- the daily cadence get their slots spread evenly over the day (about 1/24 of
-- them in each hour), never bunched at midnight, each a cadence apart.
-- Runs as the non-superuser postgres; rolls back.
begin;
create extension if not exists pgtap;
select plan(5);

create temporary table slots as
select pg_catalog.md5(i::text)::uuid as org_id,
  public.sync_next_full_refresh(pg_catalog.md5(i::text)::uuid, timestamptz '2026-12-01 00:00:00+00',
    interval '1 day') as at
from generate_series(1, 10000) i;
create temporary table per_hour as
select extract(hour from at at time zone 'UTC') as hour, count(*) as n from slots group by 1;

select is((select count(*)::int from slots
  where at <= timestamptz '2026-12-01 00:00:00+00' or at > timestamptz '2026-12-02 00:00:00+00'),
  0, 'each slot lies within one cadence after the given time');
select is((select count(*)::int from per_hour), 24, 'every hour of the day holds slots');
select cmp_ok((select max(n) from per_hour), '<', 500::bigint,
  'no hour (midnight included) holds more than 1.2 times its share of 417');
select cmp_ok((select min(n) from per_hour), '>', 333::bigint,
  'no hour holds less than 0.8 times its share');
select is((select count(*)::int from slots s
  where public.sync_next_full_refresh(s.org_id, s.at, interval '1 day') <> s.at + interval '1 day'),
  0, 'the next slot is one cadence later, at the same time of day');

select * from finish();
rollback;
