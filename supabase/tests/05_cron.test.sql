-- pg_cron jobs: schedules, no literal key or URL, and running a job's command
-- really queues a pg_net request built from the Vault secrets and records it in
-- public.cron_http_requests under the job's name (the two sync jobs through
-- the queue tick, one wake-up per worker it leases); the housekeeping job
-- keeps 7 days of that log.
begin;
create extension if not exists pgtap;
select plan(42);

create temp table expected (jobname text primary key, schedule text, fn text, sync boolean,
  dispatch text);
insert into expected values
  ('odoo-crm-sync-incremental', '* * * * *', 'odoo-crm-sync', true,
    $$select public.tick_odoo_sync('crm');$$),
  ('odoo-chatter-sync-incremental', '* * * * *', 'odoo-chatter-sync', true,
    $$select public.tick_odoo_sync('chatter');$$),
  ('bot-scheduler', '* * * * *', 'bot-scheduler', false, null),
  ('check-sla-breaches', '*/5 * * * *', 'check-sla-breaches', false, null);

select results_eq(
  $$select e.jobname, j.schedule, j.active from expected e
    left join cron.job j on j.jobname = e.jobname order by e.jobname$$,
  $$select jobname, schedule, true from expected order by jobname$$,
  'the four jobs are scheduled, active, on their schedules');
-- The sync jobs call the queue's tick, which reads Vault the same way (checked below by running it).
select ok(case when e.dispatch is not null then j.command = e.dispatch
  else j.command ~ 'vault\.decrypted_secrets' and j.command ~ '''project_url'''
    and j.command ~ '''service_role_key''' end,
  j.jobname || ' reads project_url and service_role_key from Vault (sync jobs: via the tick)')
from cron.job j join expected e using (jobname) order by 1;
select ok(j.command !~ 'eyJ' and j.command !~ 'sb_' and j.command !~* 'https?://'
  and j.command !~* 'supabase\.co', j.jobname || ' holds no literal key or URL')
from cron.job j join expected e using (jobname) order by 1;
select is_empty(
  $$select jobid from cron.job where command like '%/functions/v1/%'
    and command ~ '(eyJ|sb_(publishable|secret)_|Bearer [A-Za-z0-9])'$$,
  'no cron job sends a literal bearer token to an edge function');

-- Run every command as pg_cron would, with test values in Vault.
delete from vault.secrets where name in ('project_url', 'service_role_key');
do $$
begin
  perform vault.create_secret('https://test-ref.supabase.co', 'project_url');
  perform vault.create_secret('sb_secret_TEST0123456789', 'service_role_key');
end
$$;
-- Exactly one organization with an odoo credential and nothing in flight (other
-- test files share this database; all of this is rolled back), so each sync
-- tick enqueues one message and wakes one worker.
delete from public.integration_credentials;
delete from public.sync_runs;
insert into public.organizations (id, name) values ('0f4b5c8e-1a2b-4c3d-8e9f-0000000000c1', 'Cron org');
select public.upsert_integration_credential('0f4b5c8e-1a2b-4c3d-8e9f-0000000000c1', 'odoo',
  'odoo-api-key', 'https://odoo.invalid', 'db', 'login');
create temp table ran (jobname text primary key, request_id bigint, recorded int);
do $$
declare
  j record;
  n int;
begin
  for j in select c.jobname, c.command from cron.job c join expected e using (jobname) loop
    execute j.command;
    get diagnostics n = row_count;
    -- The id net.http_post just took in this session.
    insert into ran values (j.jobname,
      currval(pg_get_serial_sequence('net.http_request_queue', 'id')), n);
  end loop;
end
$$;
create temp view sent as
select r.jobname, e.fn, e.sync, q.method, q.url, q.headers, q.timeout_milliseconds,
  convert_from(q.body, 'UTF8')::jsonb as body
from ran r join expected e using (jobname) left join net.http_request_queue q on q.id = r.request_id;

select is(r.recorded, 1, r.jobname || ' records one row in cron_http_requests') from ran r order by 1;
select results_eq(
  format($q$select job_name, function_name from public.cron_http_requests where request_id = %s$q$,
    r.request_id),
  format($q$values (%L::text, %L::text)$q$, r.jobname, e.fn),
  r.jobname || ' links its pg_net request id to its job and function name')
from ran r join expected e using (jobname) order by 1;

select is(s.url, 'https://test-ref.supabase.co/functions/v1/' || s.fn,
  s.jobname || ' posts to <project_url>/functions/v1/' || s.fn) from sent s order by 1;
select is(s.headers ->> 'Authorization', 'Bearer sb_secret_TEST0123456789',
  s.jobname || ' sends the Vault service_role_key as bearer token') from sent s order by 1;
select ok(s.method = 'POST' and s.headers ->> 'Content-Type' = 'application/json'
  and s.timeout_milliseconds between 1000 and 300000
  and case when s.sync then s.body ->> 'worker_id' ~ '^\d+$' and (select count(*) = 1
      from public.sync_workers w where w.id = (s.body ->> 'worker_id')::bigint
        and w.lease_until > now() and w.job = case s.fn when 'odoo-crm-sync' then 'crm' else 'chatter' end)
    else s.body ->> 'scheduled_for' = to_jsonb(date_trunc('minute', now())) #>> '{}' end,
  s.jobname || ' sends JSON (syncs: the worker_id the tick leased; others: scheduled_for) and an explicit timeout')
from sent s order by 1;
select ok(not has_function_privilege(r, 'public.tick_odoo_sync(text)',
  'execute'), r || ' cannot run the tick') from unnest(array['anon', 'authenticated']) r;

-- Without the project_url secret the request fails loudly instead of going nowhere.
delete from vault.secrets where name = 'project_url';
select throws_ok((select command from cron.job where jobname = 'bot-scheduler'), '23502', null,
  'a missing project_url makes the job fail (visible in cron.job_run_details)');

-- The request log: private, indexed by time, kept 7 days by a daily job.
select ok((select relrowsecurity from pg_class where oid = 'public.cron_http_requests'::regclass),
  'row level security is enabled on cron_http_requests');
select col_is_pk('public', 'cron_http_requests', array['request_id'], 'keyed by the pg_net request id');
select has_index('public', 'cron_http_requests', 'cron_http_requests_created_at_idx',
  array['created_at'], 'cron_http_requests is indexed on created_at');
select table_privs_are('public', 'cron_http_requests', r, array[]::text[],
  r || ' has no privilege on cron_http_requests') from unnest(array['anon', 'authenticated']) r;
select ok(not has_table_privilege('service_role', 'public.cron_http_requests', 'insert, update, delete'),
  'service_role cannot change the request log');
select results_eq(
  $$select schedule, active, command like '%/functions/v1/%' from cron.job
    where jobname = 'edge-guard-housekeeping'$$,
  $$values ('17 3 * * *'::text, true, false)$$,
  'edge-guard-housekeeping runs daily and calls no edge function');
insert into public.cron_http_requests (request_id, job_name, function_name, created_at) values
  (-1, 'old', 'fn', now() - interval '8 days'), (-2, 'recent', 'fn', now() - interval '6 days');
do $$
begin
  execute (select command from cron.job where jobname = 'edge-guard-housekeeping');
end
$$;
select results_eq($$select request_id from public.cron_http_requests where request_id < 0$$,
  $$values (-2::bigint)$$, 'housekeeping deletes rows older than 7 days and keeps newer ones');
select is((select count(*)::int from public.cron_http_requests r join ran using (request_id)), 4,
  'housekeeping keeps the requests just made');

select * from finish();
rollback;
