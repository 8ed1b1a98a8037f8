-- tick_odoo_sync enqueues one message per due organization and job, once:
-- a repeated tick sends nothing twice while a message is outstanding, and the
-- message carries the job, the organization, the mode and the one key.
begin;
create extension if not exists pgtap;
select plan(6);
\ir ../_support/sync_queue_setup.sql
update public.sync_queue_settings set max_workers = 0 where job = 'crm';

select is((public.tick_odoo_sync('crm') ->> 'enqueued')::int, 5, 'five due organizations: five messages');
select is((public.tick_odoo_sync('crm') ->> 'enqueued')::int, 0, 'a repeated tick enqueues nothing');
select is((select count(*)::int from pgmq.q_odoo_sync_crm), 5, 'one message per organization');
select is((select count(*)::int from pgmq.q_odoo_sync_chatter), 0, 'the chatter job has its own queue');
select results_eq(
  $$select (m.message ->> 'org_id')::uuid, m.message ->> 'job', m.message ->> 'mode',
      m.message ->> 'key' = public.sync_run_key('crm', o.id, 'incremental', 'org',
        public.sync_period(now(), interval '15 minutes'), 1)
    from pgmq.q_odoo_sync_crm m join orgs o on o.id = (m.message ->> 'org_id')::uuid order by o.g$$,
  $$select id, 'crm'::text, 'incremental'::text, true from orgs order by g$$,
  'each message names its organization, job, mode and the key built by sync_run_key');
select is((select count(*)::int from public.sync_org_state s join pgmq.q_odoo_sync_crm m
    on m.msg_id = s.msg_id where s.job = 'crm'), 5, 'the state records each outstanding message');

select * from finish();
rollback;
