-- Which cron job queued which pg_net request.
-- Safe to run more than once, on a real Supabase project and on the local stack.
--
-- pg_net's net._http_response has no URL or caller column, so a 401 cannot be
-- tied to a job by itself. Every job public.edge_guard_schedule_jobs() defines records the request
-- id that net.http_post returns here, in the same statement; `./dev doctor`
-- joins net._http_response.id to request_id to count 401/403 answers per job.
-- Rows older than 7 days are deleted daily by the `edge-guard-housekeeping` job.

create table if not exists public.cron_http_requests (
  request_id bigint primary key,
  job_name text not null,
  function_name text not null,
  created_at timestamptz not null default now()
);
comment on table public.cron_http_requests is
  'pg_net request id -> cron job and edge function (written by the cron jobs, kept 7 days).';

create index if not exists cron_http_requests_created_at_idx
  on public.cron_http_requests (created_at);

-- Only the owner (postgres, which runs the cron jobs) writes; no API role reads
-- or writes except service_role, which may read.
alter table public.cron_http_requests enable row level security;
revoke all on table public.cron_http_requests from public, anon, authenticated, service_role;
grant select on table public.cron_http_requests to service_role;
