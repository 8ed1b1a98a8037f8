-- The watchdog's durable state: settings, call outcomes and alerts (docs/watchdog.md).
-- Safe to run more than once, on a real Supabase project (as the non-superuser
-- postgres) and on the local stack.
--
-- Why a copy of the outcomes: on Supabase net._http_response is an UNLOGGED
-- table whose rows pg_net deletes after pg_net.ttl (6 hours by default;
-- supabase/pg_net src/worker.c), and cron.job_run_details says "succeeded" as
-- soon as a request is queued. public.edge_guard_call_outcomes keeps what each
-- cron call got (status, timeout, error) for outcome_retention.
--
-- Nobody but postgres (the owner, which runs the watchdog) and service_role
-- may read; only postgres writes. No API role can change an alert.

-- Internals (check helpers) live in their own schema, which no API role can use.
create schema if not exists edge_guard;
revoke all on schema edge_guard from public, anon, authenticated, service_role;

-- One row of settings. Change a value with an update; for the schedule, then
-- `select public.edge_guard_schedule_jobs();` (..._cron_jobs_defined_once.sql).
create table if not exists public.edge_guard_settings (
  singleton boolean primary key default true constraint edge_guard_settings_singleton check (singleton),
  -- pg_cron schedule of the `edge-guard-watchdog` job.
  watchdog_schedule text not null default '*/5 * * * *',
  -- How often the sync jobs run; an org is stale after two periods without a good sync.
  sync_period interval not null default '15 minutes',
  -- A sync run still `running` after this is dead (an edge function lives at
  -- most 400 s of wall clock on Supabase; margin for the queue) and is reaped.
  run_max_lifetime interval not null default '10 minutes',
  -- A run that started this much after its scheduled time is late.
  drift_tolerance interval not null default '5 minutes',
  -- A bot whose last N runs all failed "keeps failing".
  failing_runs integer not null default 3 constraint edge_guard_settings_failing_runs check (failing_runs > 0),
  -- How long call outcomes and resolved alerts are kept.
  outcome_retention interval not null default '30 days',
  alert_retention interval not null default '90 days',
  -- Timeout of each webhook notification.
  webhook_timeout_ms integer not null default 5000
);
insert into public.edge_guard_settings default values on conflict do nothing;

create table if not exists public.edge_guard_call_outcomes (
  -- pg_net request id (ids restart if pg_net is re-created: a newer call
  -- with the same id replaces the row, see the watchdog).
  request_id bigint primary key,
  job_name text not null,
  function_name text not null,
  requested_at timestamptz not null,
  status_code integer,
  timed_out boolean not null default false,
  -- pg_net's error_msg (curl's text), cut and with anything key-like blanked.
  error text,
  responded_at timestamptz not null,
  recorded_at timestamptz not null default now()
);
create index if not exists edge_guard_call_outcomes_job_idx
  on public.edge_guard_call_outcomes (job_name, requested_at desc);
create index if not exists edge_guard_call_outcomes_requested_idx
  on public.edge_guard_call_outcomes (requested_at);
comment on table public.edge_guard_call_outcomes is
  'Durable copy of each cron call''s pg_net outcome (cron_http_requests join net._http_response), '
  'written by public.edge_guard_watchdog() before pg_net''s TTL deletes the response.';

create table if not exists public.edge_guard_alerts (
  id bigint generated always as identity primary key,
  check_id text not null,
  -- The job, secret, org, run or bot concerned; never a value.
  subject text not null,
  severity text not null constraint edge_guard_alerts_severity check (severity in ('error', 'warn')),
  detail text not null,
  opened_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  resolved_at timestamptz,
  -- pg_net request ids of the webhook notifications (null: no webhook configured).
  opened_notification_id bigint,
  resolved_notification_id bigint,
  constraint edge_guard_alerts_resolved_after check (resolved_at is null or resolved_at >= opened_at)
);
-- One open alert per (check, subject).
create unique index if not exists edge_guard_alerts_open_key
  on public.edge_guard_alerts (check_id, subject) where resolved_at is null;
create index if not exists edge_guard_alerts_opened_idx on public.edge_guard_alerts (opened_at desc);
comment on table public.edge_guard_alerts is
  'Watchdog alerts: one open row per (check_id, subject); resolved_at is set on the first '
  'evaluation that no longer finds the problem.';

do $$
declare
  t text;
begin
  foreach t in array array['edge_guard_settings', 'edge_guard_call_outcomes', 'edge_guard_alerts'] loop
    execute format('alter table public.%I enable row level security', t);
    execute format('revoke all on table public.%I from public, anon, authenticated, service_role', t);
    execute format('grant select on table public.%I to service_role', t);
  end loop;
  execute format('revoke all on sequence %s from public, anon, authenticated, service_role',
    pg_get_serial_sequence('public.edge_guard_alerts', 'id'));
end
$$;
