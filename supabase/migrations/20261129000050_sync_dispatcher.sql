-- The Odoo sync fan-out's first design (issue 14): a SQL dispatcher that sent
-- one pg_net request per due organization. Superseded by the queue
-- (20261206000500..700_sync_queue_*.sql, issue 26, docs/fanout.md), which
-- drops the dispatcher's functions, trigger, settings and view on a project
-- that applied the original version of this file. What is left here is the
-- shape that later migrations build on (the per-org columns of sync_runs and
-- public.sync_org_state), so re-running this file changes nothing the queue
-- owns. Safe to run more than once, on hosted and on the local stack.

-- A dispatched run is `queued` until its function claims it (`running`).
alter table public.sync_runs add column if not exists org_id uuid
  references public.organizations (id) on delete cascade;
alter table public.sync_runs add column if not exists dispatched_at timestamptz;
alter table public.sync_runs add column if not exists request_id bigint;
alter table public.sync_runs drop constraint if exists sync_runs_status_check;
alter table public.sync_runs add constraint sync_runs_status_check
  check (status in ('queued', 'running', 'succeeded', 'failed', 'partial'));
comment on column public.sync_runs.org_id is
  'The one organization of a per-org run (dispatched, by hand with org_id, or sync-now); null for a run over every organization.';
comment on column public.sync_runs.request_id is
  'pg_net request id of a dispatched run (net._http_response.id, public.cron_http_requests.request_id).';
-- Where each organization stands, per job: what the dispatcher reads and what
-- an operator watches (a failing organization stays visible here).
create table if not exists public.sync_org_state (
  org_id uuid not null references public.organizations (id) on delete cascade,
  job text not null,
  last_success_at timestamptz,
  last_finished_at timestamptz,
  last_status text,
  last_error text,
  consecutive_failures integer not null default 0,
  next_attempt_at timestamptz,
  last_run_id bigint,
  primary key (org_id, job)
);

alter table public.sync_org_state enable row level security;
revoke all on table public.sync_org_state from public, anon, authenticated, service_role;
grant select on table public.sync_org_state to service_role;
