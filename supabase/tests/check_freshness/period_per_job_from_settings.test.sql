-- edge_guard.check_freshness: "two sync periods" is each job's own
-- public.sync_queue_settings.period (the one the tick schedules by), not a
-- second setting: with an hourly chatter period, 45 minutes without a good
-- chatter sync is fresh while 45 minutes of crm (15 minutes) is stale.
begin;
create extension if not exists pgtap;
select plan(2);

update public.sync_queue_settings set period = interval '1 hour' where job = 'chatter';
insert into public.organizations (id, name) values ('c2000000-0000-4000-8000-0000000000c2', 'Hourly');
insert into public.sync_org_state (org_id, job, enrolled_at, last_success_at) values
  ('c2000000-0000-4000-8000-0000000000c2', 'crm', now() - interval '3 hours', now() - interval '45 minutes'),
  ('c2000000-0000-4000-8000-0000000000c2', 'chatter', now() - interval '3 hours', now() - interval '45 minutes');
select is((select detail like 'crm last synced %: older than two sync periods (00:30:00)'
    from edge_guard.check_freshness(now()) where subject = 'org:c2000000-0000-4000-8000-0000000000c2'),
  true, 'crm alone is stale, named with its own period');
update public.sync_org_state set last_success_at = now() - interval '5 minutes'
where org_id = 'c2000000-0000-4000-8000-0000000000c2' and job = 'crm';
select is((select count(*)::int from edge_guard.check_freshness(now())
    where subject = 'org:c2000000-0000-4000-8000-0000000000c2'), 0,
  'chatter 45 minutes ago is within two hourly periods');

select * from finish();
rollback;
