-- The sync always moves forward (issue 25, docs/odoo-sync.md): where each
-- organization's walk stands between runs, how many runs in a row made no
-- progress (the watchdog's org_sync_stalled reads it), and a scheduled full
-- refresh per organization, spread over the cadence by a hash of its id.
-- (This file first also redefined the old dispatcher to send mode "full" and
-- added its setting; the queue (..._sync_queue_*.sql, issue 26) replaced both:
-- its tick decides the mode, its settings hold the cadence.)
-- Safe to run more than once, on a real Supabase project (as the non-superuser
-- postgres) and on the local stack.

-- Written by the sync functions (supabase/functions/_shared/_odoo-sync/
-- progress.ts and refresh.ts), page by page in the page's transaction.
alter table public.sync_cursors add column if not exists pass_write_date timestamptz;
alter table public.sync_cursors add column if not exists pass_id bigint;
alter table public.sync_cursors add column if not exists pass_started_at timestamptz;
alter table public.sync_cursors add column if not exists refresh_after_id bigint;
alter table public.sync_cursors add column if not exists refresh_started_at timestamptz;
alter table public.sync_cursors add column if not exists refreshed_at timestamptz;
alter table public.sync_cursors add column if not exists stalled_runs integer not null default 0;
alter table public.sync_cursors add column if not exists progressed_at timestamptz;
-- Rows that exist when this runs get the same time: their first scheduled full
-- refresh is their own slot within the next cadence, not all at once.
alter table public.sync_cursors add column if not exists created_at timestamptz not null default now();
comment on column public.sync_cursors.pass_write_date is
  'With pass_id: where the unfinished incremental pass continues (null: the last pass ended).';
comment on column public.sync_cursors.pass_started_at is
  'When the unfinished (or the last) pass started; the next pass re-reads the overlap before it.';
comment on column public.sync_cursors.refresh_after_id is
  'Last id stored by the unfinished full refresh (null: none in progress).';
comment on column public.sync_cursors.refreshed_at is
  'When the last finished full refresh started (null: never).';
comment on column public.sync_cursors.stalled_runs is
  'Runs in a row that neither finished their work nor stored a page (the watchdog: org_sync_stalled).';

-- The organization's first full-refresh slot strictly after p_after: slots are
-- p_every apart, shifted by a per-organization offset in [0, p_every) taken
-- from a hash of its id, so 10,000 organizations are spread evenly over the
-- cadence instead of all falling at midnight.
create or replace function public.sync_next_full_refresh(
  p_org_id uuid, p_after timestamptz, p_every interval)
returns timestamptz
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.date_bin(p_every, p_after, timestamptz '2000-01-01 00:00:00+00'
    + pg_catalog.make_interval(secs => (pg_catalog.hashtextextended(p_org_id::text, 0)
      & 9223372036854775807) % greatest(extract(epoch from p_every)::bigint, 1))) + p_every
$$;

-- THE decision "is a full refresh due for this organization and job",
-- public.sync_full_refresh_due, reads the cadence from the queue's settings
-- (sync_queue_settings.full_refresh_every), so it is defined with them in
-- ..._sync_queue_state.sql; the queue's tick asks it for each message.

revoke all on function public.sync_next_full_refresh(uuid, timestamptz, interval)
  from public, anon, authenticated;
grant execute on function public.sync_next_full_refresh(uuid, timestamptz, interval) to service_role;
