-- The watchdog (supabase/migrations/20261129*_watchdog*.sql): who may touch its
-- tables, its cron job, and each check opening, refreshing and resolving an
-- alert with exactly one webhook notification per opening and per resolution.
-- Runs as the non-superuser postgres, as on hosted Supabase; rolls back.
-- One snapshot, so cron runs other tests' jobs make meanwhile are not seen.
begin isolation level repeatable read;
create extension if not exists pgtap;
select plan(47);

-- Nobody outside postgres / service_role reads or changes alerts or outcomes.
select ok((select bool_and(relrowsecurity) from pg_class where oid in
  ('public.edge_guard_alerts'::regclass, 'public.edge_guard_call_outcomes'::regclass,
   'public.edge_guard_settings'::regclass)), 'row level security is on for the watchdog tables');
select table_privs_are('public', t, r, array[]::text[], r || ' has no privilege on ' || t)
from unnest(array['anon', 'authenticated']) r,
  unnest(array['edge_guard_alerts', 'edge_guard_call_outcomes', 'edge_guard_settings']) t
order by 1;
select table_privs_are('public', t, 'service_role', array['SELECT'], 'service_role may only read ' || t)
from unnest(array['edge_guard_alerts', 'edge_guard_call_outcomes']) t order by 1;
select ok(not has_function_privilege(r, 'public.edge_guard_watchdog(timestamptz)', 'execute')
  and not has_function_privilege(r, 'public.edge_guard_findings(timestamptz)', 'execute')
  and not has_schema_privilege(r, 'edge_guard', 'usage'),
  r || ' can neither run the watchdog, read its findings nor use its schema')
from unnest(array['anon', 'authenticated']) r order by 1;
set local role authenticated;
select throws_ok($$select * from public.edge_guard_alerts$$, '42501', null,
  'authenticated cannot read alerts');
select throws_ok($$update public.edge_guard_alerts set resolved_at = now()$$, '42501', null,
  'authenticated cannot resolve alerts');
reset role;
set local role service_role;
select throws_ok($$delete from public.edge_guard_call_outcomes$$, '42501', null,
  'service_role cannot delete outcomes');
select lives_ok($$select * from public.edge_guard_alerts$$, 'service_role reads alerts');
reset role;

select results_eq(
  $$select schedule, command, active, username::text from cron.job where jobname = 'edge-guard-watchdog'$$,
  $$values ('*/5 * * * *'::text, 'select public.edge_guard_watchdog();'::text, true, 'postgres'::text)$$,
  'edge-guard-watchdog runs every 5 minutes as postgres');

-- A clean slate: healthy secrets, a webhook, no history, no org or run left by other tests.
delete from public.integration_credentials;
delete from public.sync_runs;
delete from public.bots;
delete from public.edge_guard_alerts;
delete from public.edge_guard_call_outcomes;
delete from public.cron_http_requests;
delete from net._http_response;
delete from net.http_request_queue;
delete from cron.job_run_details;
delete from vault.secrets where name in ('project_url', 'service_role_key', 'alert_webhook_url');
do $$
begin
  perform vault.create_secret('https://test-ref.supabase.co', 'project_url');
  perform vault.create_secret('sb_secret_TEST0123456789', 'service_role_key');
  perform vault.create_secret('https://hooks.example.test/T0/B0/s3cr3tPath', 'alert_webhook_url');
end
$$;
select is_empty($$select * from public.edge_guard_findings()$$, 'a healthy project has no findings');

-- The first 401 opens one alert for the job and queues one notification.
insert into public.cron_http_requests (request_id, job_name, function_name, created_at)
values (-10, 'odoo-crm-sync-incremental', 'odoo-crm-sync', now() - interval '3 minutes');
insert into net._http_response (id, status_code, content, created)
values (-10, 401, '{"error":"invalid_token"}', now() - interval '3 minutes');
select is((public.edge_guard_watchdog() ->> 'opened')::int, 1, 'the first 401 opens one alert');
select results_eq(
  $$select check_id, subject, severity, resolved_at is null from public.edge_guard_alerts$$,
  $$values ('http_auth_rejected'::text, 'odoo-crm-sync-incremental'::text, 'error'::text, true)$$,
  'the alert names the job (not a second one for its function)');
select alike((select detail from public.edge_guard_alerts), '1 call of its latest run % answered 401%',
  'the detail counts with the right noun');
select is((select count(*)::int from net.http_request_queue), 1, 'one webhook request is queued');
select results_eq(
  $$select q.url, b ->> 'event', b ->> 'check_id', b ->> 'subject', b ? 'text'
    from net.http_request_queue q, lateral (select convert_from(q.body, 'UTF8')::jsonb as b) x$$,
  $$values ('https://hooks.example.test/T0/B0/s3cr3tPath'::text, 'opened'::text,
    'http_auth_rejected'::text, 'odoo-crm-sync-incremental'::text, true)$$,
  'the notification goes to the Vault URL: Slack text plus structured fields');
select ok((select convert_from(body, 'UTF8') !~ '(s3cr3t|sb_secret|TEST0123|eyJ|hooks\.example)'
  from net.http_request_queue), 'the notification holds no secret and not the webhook URL');
select is((select opened_notification_id from public.edge_guard_alerts),
  (select max(id) from net.http_request_queue), 'the alert records its notification request');

-- It persists: last_seen_at moves, opened_at does not, nothing more is sent.
select is((public.edge_guard_watchdog(now() + interval '5 minutes') ->> 'opened')::int, 0,
  'a persisting finding opens nothing');
select ok((select opened_at = now() and last_seen_at = now() + interval '5 minutes'
  from public.edge_guard_alerts), 'opened_at stays, last_seen_at moves');
select is((select count(*)::int from net.http_request_queue), 1, 'no second notification');

-- The outcome outlives pg_net's TTL.
delete from net._http_response where id = -10;
select results_eq($$select status_code from public.edge_guard_call_outcomes where request_id = -10$$,
  $$values (401)$$, 'the outcome survives the deletion of the pg_net response');
select is((public.edge_guard_watchdog(now() + interval '6 minutes') ->> 'resolved')::int, 0,
  'the alert stays open after pg_net forgot the 401');

-- One good call resolves it and queues exactly one resolution.
insert into public.cron_http_requests (request_id, job_name, function_name, created_at)
values (-11, 'odoo-crm-sync-incremental', 'odoo-crm-sync', now() + interval '7 minutes');
insert into net._http_response (id, status_code, content, created)
values (-11, 200, null, now() + interval '7 minutes');
select is((public.edge_guard_watchdog(now() + interval '8 minutes') ->> 'resolved')::int, 1,
  'the next good call resolves the alert');
select ok((select resolved_at = now() + interval '8 minutes' and resolved_notification_id is not null
  from public.edge_guard_alerts), 'resolved_at is set and the resolution was sent');
select results_eq(
  $$select b ->> 'event' from net.http_request_queue q, lateral (select convert_from(q.body, 'UTF8')::jsonb as b) x order by q.id$$,
  $$values ('opened'::text), ('resolved'::text)$$, 'one notification per opening and per resolution');

-- 5xx and timeouts.
insert into public.cron_http_requests (request_id, job_name, function_name, created_at)
values (-12, 'bot-scheduler', 'bot-scheduler', now()), (-13, 'check-sla-breaches', 'check-sla-breaches', now());
insert into net._http_response (id, status_code, timed_out, error_msg, created)
values (-12, 503, false, null, now()), (-13, null, true, 'Timeout of 30000 ms reached', now());
select results_eq(
  $$select subject, detail ~ '(1 answer with a 5xx status|1 timeout)' from public.edge_guard_findings()
    where check_id = 'http_call_failed' order by subject$$,
  $$values ('bot-scheduler'::text, true), ('check-sla-breaches'::text, true)$$,
  'a 5xx and a timeout each make their job fail');

-- Missing and unusable Vault secrets.
delete from vault.secrets where name = 'project_url';
select results_eq(
  $$select check_id from public.edge_guard_findings() where subject = 'project_url'$$,
  $$values ('vault_secret_missing'::text)$$, 'a missing project_url is found');
delete from vault.secrets where name = 'service_role_key';
do $$
begin
  perform vault.create_secret(
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl', 'service_role_key');
end
$$;
select results_eq(
  $$select check_id, detail like '%public anon/publishable key%' from public.edge_guard_findings()
    where subject = 'service_role_key'$$,
  $$values ('vault_secret_unusable'::text, true)$$, 'the anon key as service key is unusable');

-- A literal key in a cron command, one alert per job, never the key.
do $$
begin
  perform cron.schedule('edge-guard-test-literal', '0 3 1 1 *', $c$select net.http_post(
    url := 'https://legacy-ref.supabase.co/functions/v1/odoo-crm-sync',
    headers := jsonb_build_object('Authorization',
      'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl'))$c$);
end
$$;
select results_eq(
  $$select check_id, severity from public.edge_guard_findings() where subject = 'edge-guard-test-literal'$$,
  $$values ('cron_command_literal'::text, 'error'::text)$$, 'a literal key in a command is one error');
select ok((select detail !~ '(eyJhbGciOiJIUzI1|legacy-ref|c2lnbmF0)' from public.edge_guard_findings()
  where subject = 'edge-guard-test-literal'), 'the finding holds no piece of the command');

-- Failed cron runs (the platform writes job_run_details; here the latest run failed).
select results_eq($$select count(*)::int from public.edge_guard_findings() where check_id = 'cron_run_failed'$$,
  $$values (0)$$, 'no failed runs yet');

-- A stale organization, a stuck run (reaped) and drift.
insert into public.organizations (id, name, created_at)
values ('c0000000-0000-4000-8000-00000000000c', 'Stale', now() - interval '3 hours');
insert into public.integration_credentials (org_id, integration_type, vault_secret_id, created_at)
values ('c0000000-0000-4000-8000-00000000000c', 'odoo', gen_random_uuid(), now() - interval '3 hours');
-- The credential enrolled the organization in both jobs (sync_org_state), 3 hours ago here.
update public.sync_org_state set enrolled_at = now() - interval '3 hours'
where org_id = 'c0000000-0000-4000-8000-00000000000c';
update public.sync_org_state set last_success_at = now() - interval '50 minutes'
where org_id = 'c0000000-0000-4000-8000-00000000000c' and job = 'chatter';
insert into public.sync_runs (idempotency_key, integration, job, scheduled_for, started_at, status)
values ('odoo:crm:stuck', 'odoo', 'crm', now() - interval '1 hour', now() - interval '50 minutes', 'running'),
  ('odoo:chatter:late', 'odoo', 'chatter', now() - interval '50 minutes', now() - interval '40 minutes',
   'succeeded');
select results_eq(
  $$select detail like 'chatter last synced % crm never synced: older than two sync periods%'
    from public.edge_guard_findings() where check_id = 'org_sync_stale'
      and subject = 'org:c0000000-0000-4000-8000-00000000000c'$$,
  $$values (true)$$, 'an org without a good sync for two periods is stale');
update public.sync_org_state set last_success_at = now() - interval '5 minutes'
where org_id = 'c0000000-0000-4000-8000-00000000000c' and job = 'crm';
select results_eq(
  $$select detail like 'chatter last synced %' and detail not like '%crm%'
    from public.edge_guard_findings() where check_id = 'org_sync_stale'
      and subject = 'org:c0000000-0000-4000-8000-00000000000c'$$,
  $$values (true)$$, 'a sync 5 minutes ago counts; the stale chatter job still shows');
update public.sync_org_state set last_success_at = now() - interval '5 minutes'
where org_id = 'c0000000-0000-4000-8000-00000000000c' and job = 'chatter';
select is((select count(*)::int from public.edge_guard_findings() where check_id = 'org_sync_stale'
  and subject = 'org:c0000000-0000-4000-8000-00000000000c'), 0,
  'an org synced in both jobs is fresh');
delete from public.sync_org_state where org_id = 'c0000000-0000-4000-8000-00000000000c';
select results_eq(
  $$select subject from public.edge_guard_findings() where check_id = 'schedule_drift' order by 1$$,
  $$values ('odoo:chatter'::text), ('odoo:crm'::text)$$, 'runs that started 10 minutes late are drift');
select is((select count(*)::int from public.edge_guard_findings() where check_id = 'sync_run_stuck'), 1,
  'a run running for 50 minutes is stuck');
select is((public.edge_guard_watchdog() ->> 'reaped')::int, 1, 'the watchdog reaps it');
select results_eq(
  $$select status, error_summary like 'reaped by edge-guard-watchdog%', finished_at is not null
    from public.sync_runs where idempotency_key = 'odoo:crm:stuck'$$,
  $$values ('failed'::text, true, true)$$, 'the stuck run is failed with a reason');
select ok(exists (select 1 from public.edge_guard_alerts where check_id = 'sync_run_stuck'
  and resolved_at is null), 'the stuck run has its alert');
select ok(not exists (select 1 from public.edge_guard_alerts
  where subject || detail ~ '(eyJhbGciOiJIUzI1|sb_secret_TEST|s3cr3t|c2lnbmF0)'),
  'no alert holds a key, a secret or the webhook URL');

select * from finish();
rollback;
