-- The tick's due selection reads the partial index on (job, next_due_at), not
-- every credential: its cost does not grow with the number of tenants.
begin;
create extension if not exists pgtap;
select plan(2);
\ir ../_support/sync_queue_setup.sql
set local enable_seqscan = off;
create temp table plan_lines (n integer, line text);
do $$
declare
  l text;
begin
  for l in execute $q$explain select s.org_id from public.sync_org_state s
    where s.job = 'crm' and s.msg_id is null and s.next_due_at <= now()
    order by s.next_due_at limit 5000$q$ loop
    insert into plan_lines values (1, l);
  end loop;
end
$$;
select ok(exists (select 1 from plan_lines where line like '%sync_org_state_due_idx%'),
  'due organizations come from sync_org_state_due_idx');
select ok(not exists (select 1 from plan_lines where line like '%integration_credentials%'),
  'no scan of the credentials');

select * from finish();
rollback;
