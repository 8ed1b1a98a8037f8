-- pg_cron jobs: schedules, no literal key or URL, and running a job's command
-- really queues a pg_net request built from the Vault secrets.
begin;
create extension if not exists pgtap;
select plan(23);

create temp table expected (jobname text primary key, schedule text, fn text, sync boolean);
insert into expected values
  ('odoo-crm-sync-incremental', '*/15 * * * *', 'odoo-crm-sync', true),
  ('odoo-chatter-sync-incremental', '5-59/15 * * * *', 'odoo-chatter-sync', true),
  ('bot-scheduler', '* * * * *', 'bot-scheduler', false),
  ('check-sla-breaches', '*/5 * * * *', 'check-sla-breaches', false);

select results_eq(
  $$select e.jobname, j.schedule, j.active from expected e
    left join cron.job j on j.jobname = e.jobname order by e.jobname$$,
  $$select jobname, schedule, true from expected order by jobname$$,
  'the four jobs are scheduled, active, on their schedules');
select ok(j.command ~ 'vault\.decrypted_secrets' and j.command ~ '''project_url'''
  and j.command ~ '''service_role_key''', j.jobname || ' reads project_url and service_role_key from Vault')
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
create temp table ran (jobname text primary key, request_id bigint);
do $$
declare
  j record;
  rid bigint;
begin
  for j in select c.jobname, c.command from cron.job c join expected e using (jobname) loop
    execute j.command into rid;
    insert into ran values (j.jobname, rid);
  end loop;
end
$$;
create temp view sent as
select r.jobname, e.fn, e.sync, q.method, q.url, q.headers, q.timeout_milliseconds,
  convert_from(q.body, 'UTF8')::jsonb as body
from ran r join expected e using (jobname) left join net.http_request_queue q on q.id = r.request_id;

select is(s.url, 'https://test-ref.supabase.co/functions/v1/' || s.fn,
  s.jobname || ' posts to <project_url>/functions/v1/' || s.fn) from sent s order by 1;
select is(s.headers ->> 'Authorization', 'Bearer sb_secret_TEST0123456789',
  s.jobname || ' sends the Vault service_role_key as bearer token') from sent s order by 1;
select ok(s.method = 'POST' and s.headers ->> 'Content-Type' = 'application/json'
  and s.timeout_milliseconds between 1000 and 300000
  and s.body ->> 'scheduled_for' = to_jsonb(date_trunc('minute', now())) #>> '{}'
  and (not s.sync or s.body ->> 'mode' = 'incremental'),
  s.jobname || ' sends JSON with scheduled_for (and mode for syncs) and an explicit timeout')
from sent s order by 1;

-- Without the project_url secret the request fails loudly instead of going nowhere.
delete from vault.secrets where name = 'project_url';
select throws_ok((select command from cron.job where jobname = 'bot-scheduler'), '23502', null,
  'a missing project_url makes the job fail (visible in cron.job_run_details)');

select * from finish();
rollback;
