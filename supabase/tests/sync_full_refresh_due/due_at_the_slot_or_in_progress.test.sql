-- public.sync_full_refresh_due, THE decision the queue's tick asks for
-- each message: never synced is not due; due once the organization's slot
-- after its last refresh has come; an unfinished refresh is due until it ends.
-- Runs as the non-superuser postgres; rolls back.
begin;
create extension if not exists pgtap;
select plan(5);

insert into public.organizations (id, name) values ('f0000000-0000-4000-8000-00000000000f', 'Refreshed');
select is(public.sync_full_refresh_due('f0000000-0000-4000-8000-00000000000f', 'crm'), false,
  'never synced: not due (its first sync reads everything)');
insert into public.sync_cursors (org_id, job, refreshed_at)
values ('f0000000-0000-4000-8000-00000000000f', 'crm', now() - interval '1 minute');
select is(public.sync_full_refresh_due('f0000000-0000-4000-8000-00000000000f', 'crm', now()), false,
  'refreshed a minute ago: not due');
select is(public.sync_full_refresh_due('f0000000-0000-4000-8000-00000000000f', 'crm',
  now() + interval '1 day'), true, 'a day later its slot has come: due');
select is(public.sync_full_refresh_due('f0000000-0000-4000-8000-00000000000f', 'chatter',
  now() + interval '1 day'), false, 'per job: chatter never synced');
update public.sync_cursors set refresh_after_id = 500
where org_id = 'f0000000-0000-4000-8000-00000000000f';
select is(public.sync_full_refresh_due('f0000000-0000-4000-8000-00000000000f', 'crm', now()), true,
  'a refresh in progress is due until it ends');

select * from finish();
rollback;
