-- Synced Odoo data, sync bookkeeping, bots and SLA policies.
-- Safe to run more than once, on a real Supabase project and on the local stack.

-- crm.lead rows, one per (org, Odoo id). Dates are Odoo's (UTC) as timestamptz.
create table if not exists public.crm_leads (
  org_id uuid not null references public.organizations (id) on delete cascade,
  odoo_id bigint not null,
  name text,
  partner_name text,
  email_from text,
  stage_id bigint,
  stage_name text,
  user_id bigint,
  user_name text,
  probability numeric,
  expected_revenue numeric,
  active boolean not null default true,
  create_date timestamptz,
  write_date timestamptz,
  raw jsonb not null default '{}'::jsonb,
  synced_at timestamptz not null default now(),
  primary key (org_id, odoo_id)
);
create index if not exists crm_leads_org_write_date_idx
  on public.crm_leads (org_id, write_date, odoo_id);
create index if not exists crm_leads_org_stage_idx on public.crm_leads (org_id, stage_id);

-- mail.message rows on crm.lead (chatter). No foreign key to crm_leads: the
-- chatter job may see a message before the lead job has synced its lead.
create table if not exists public.crm_lead_messages (
  org_id uuid not null references public.organizations (id) on delete cascade,
  odoo_id bigint not null,
  res_id bigint not null,
  body text,
  author_id bigint,
  author_name text,
  message_type text,
  subtype text,
  date timestamptz,
  write_date timestamptz,
  raw jsonb not null default '{}'::jsonb,
  synced_at timestamptz not null default now(),
  primary key (org_id, odoo_id)
);
create index if not exists crm_lead_messages_org_res_idx
  on public.crm_lead_messages (org_id, res_id, date);

-- Incremental sync position per org and job: (write_date, id) of the last row seen.
create table if not exists public.sync_cursors (
  org_id uuid not null references public.organizations (id) on delete cascade,
  job text not null,
  cursor_write_date timestamptz,
  cursor_id bigint,
  updated_at timestamptz not null default now(),
  primary key (org_id, job)
);

-- One row per scheduled run. idempotency_key = '<integration>:<job>:<scheduled period>',
-- so a delayed or repeated trigger for the same period cannot run twice.
-- scheduled_for vs started_at makes scheduler drift visible.
create table if not exists public.sync_runs (
  id bigint generated always as identity primary key,
  idempotency_key text not null constraint sync_runs_idempotency_key_key unique,
  integration text not null,
  job text not null,
  scheduled_for timestamptz not null,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  status text not null default 'running'
    constraint sync_runs_status_check
    check (status in ('running', 'succeeded', 'failed', 'partial')),
  counts jsonb not null default '{}'::jsonb,
  org_results jsonb not null default '{}'::jsonb,
  error_summary text
);
create index if not exists sync_runs_job_scheduled_idx
  on public.sync_runs (integration, job, scheduled_for desc);

create table if not exists public.bots (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null,
  enabled boolean not null default true,
  interval_minutes integer not null default 60
    constraint bots_interval_check check (interval_minutes between 1 and 525600),
  next_run_at timestamptz not null default now(),
  action text not null default 'webhook' constraint bots_action_check check (action = 'webhook'),
  webhook_url text not null,
  payload jsonb not null default '{}'::jsonb,
  timeout_ms integer not null default 10000
    constraint bots_timeout_check check (timeout_ms between 100 and 120000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint bots_org_name_key unique (org_id, name),
  constraint bots_id_org_key unique (id, org_id)
);
-- Due-bot selection: where enabled and next_run_at <= now() order by next_run_at.
create index if not exists bots_due_idx on public.bots (enabled, next_run_at);

-- One run per bot and scheduled minute (idempotency for the per-minute scheduler).
create table if not exists public.bot_runs (
  id bigint generated always as identity primary key,
  bot_id uuid not null,
  org_id uuid not null,
  scheduled_minute timestamptz not null,
  status text not null default 'running'
    constraint bot_runs_status_check check (status in ('running', 'succeeded', 'failed')),
  http_status integer,
  error text,
  response_excerpt text,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  constraint bot_runs_bot_minute_key unique (bot_id, scheduled_minute),
  constraint bot_runs_bot_fkey foreign key (bot_id, org_id)
    references public.bots (id, org_id) on delete cascade
);
create index if not exists bot_runs_org_started_idx on public.bot_runs (org_id, started_at desc);

create table if not exists public.sla_policies (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null,
  -- Optional stage filter; null means every stage.
  stage_id bigint,
  stage_name text,
  max_hours_without_progress numeric not null
    constraint sla_policies_hours_check check (max_hours_without_progress > 0),
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint sla_policies_org_name_key unique (org_id, name),
  constraint sla_policies_id_org_key unique (id, org_id)
);

-- One breach per lead and policy, recorded once (check-sla-breaches inserts with
-- on conflict do nothing); hours_overdue/last_progress_at are as first detected.
create table if not exists public.sla_breaches (
  id bigint generated always as identity primary key,
  policy_id uuid not null,
  org_id uuid not null,
  lead_odoo_id bigint not null,
  detected_at timestamptz not null default now(),
  last_progress_at timestamptz,
  hours_overdue numeric not null default 0,
  resolved_at timestamptz,
  constraint sla_breaches_policy_org_lead_key unique (policy_id, org_id, lead_odoo_id),
  constraint sla_breaches_policy_fkey foreign key (policy_id, org_id)
    references public.sla_policies (id, org_id) on delete cascade,
  constraint sla_breaches_lead_fkey foreign key (org_id, lead_odoo_id)
    references public.crm_leads (org_id, odoo_id) on delete cascade
);
create index if not exists sla_breaches_org_detected_idx
  on public.sla_breaches (org_id, detected_at desc);
create index if not exists sla_breaches_org_lead_idx
  on public.sla_breaches (org_id, lead_odoo_id);
