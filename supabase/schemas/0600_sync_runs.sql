-- supabase/schemas/0600_sync_runs.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE FUNCTION public.sync_runs_track_org() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_error text := left(coalesce(new.org_results -> new.org_id::text ->> 'error',
    new.error_summary), 200);
  v_steps interval[];
  v_failed boolean := new.status = 'failed';
  v_lost boolean := v_error in ('run_lost', 'dispatch_failed');
begin
  select s.backoff into v_steps from public.sync_dispatch_settings s where s.job = new.job;
  v_steps := coalesce(v_steps, array[interval '15 minutes']);
  insert into public.sync_org_state as o (org_id, job, last_success_at, last_finished_at,
    last_status, last_error, consecutive_failures, next_attempt_at, last_run_id)
  values (new.org_id, new.job, case when new.status = 'succeeded' then new.finished_at end,
    new.finished_at, new.status, case when v_failed then v_error end,
    case when v_failed then 1 else 0 end,
    case when v_failed and not v_lost then new.finished_at + v_steps[1] end, new.id)
  on conflict (org_id, job) do update set
    last_success_at = coalesce(excluded.last_success_at, o.last_success_at),
    last_finished_at = excluded.last_finished_at,
    last_status = excluded.last_status,
    last_error = excluded.last_error,
    consecutive_failures = case when v_failed then o.consecutive_failures + 1 else 0 end,
    next_attempt_at = case when v_failed and not v_lost then excluded.last_finished_at
      + v_steps[least(o.consecutive_failures + 1, cardinality(v_steps))] end,
    last_run_id = excluded.last_run_id;
  return null;
end
$$;

CREATE TABLE public.sync_runs (
    id bigint NOT NULL,
    idempotency_key text NOT NULL,
    integration text NOT NULL,
    job text NOT NULL,
    scheduled_for timestamp with time zone NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    status text DEFAULT 'running'::text NOT NULL,
    counts jsonb DEFAULT '{}'::jsonb NOT NULL,
    org_results jsonb DEFAULT '{}'::jsonb NOT NULL,
    error_summary text,
    org_id uuid,
    dispatched_at timestamp with time zone,
    request_id bigint,
    CONSTRAINT sync_runs_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'running'::text, 'succeeded'::text, 'failed'::text, 'partial'::text])))
);

COMMENT ON COLUMN public.sync_runs.org_id IS 'The one organization of a per-org run (dispatched, by hand with org_id, or sync-now); null for a run over every organization.';

COMMENT ON COLUMN public.sync_runs.request_id IS 'pg_net request id of a dispatched run (net._http_response.id, public.cron_http_requests.request_id).';

ALTER TABLE public.sync_runs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.sync_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

ALTER TABLE ONLY public.sync_runs
    ADD CONSTRAINT sync_runs_idempotency_key_key UNIQUE (idempotency_key);

ALTER TABLE ONLY public.sync_runs
    ADD CONSTRAINT sync_runs_pkey PRIMARY KEY (id);

CREATE INDEX sync_runs_in_progress_idx ON public.sync_runs USING btree (job, org_id) WHERE (status = ANY (ARRAY['queued'::text, 'running'::text]));

CREATE INDEX sync_runs_job_scheduled_idx ON public.sync_runs USING btree (integration, job, scheduled_for DESC);

CREATE INDEX sync_runs_org_period_idx ON public.sync_runs USING btree (org_id, job, scheduled_for) WHERE (org_id IS NOT NULL);

CREATE INDEX sync_runs_request_idx ON public.sync_runs USING btree (request_id) WHERE (request_id IS NOT NULL);

CREATE TRIGGER sync_runs_track_org AFTER UPDATE OF status ON public.sync_runs FOR EACH ROW WHEN (((new.org_id IS NOT NULL) AND (old.status = ANY (ARRAY['queued'::text, 'running'::text])) AND (new.status = ANY (ARRAY['succeeded'::text, 'partial'::text, 'failed'::text])))) EXECUTE FUNCTION public.sync_runs_track_org();

ALTER TABLE ONLY public.sync_runs
    ADD CONSTRAINT sync_runs_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE public.sync_runs ENABLE ROW LEVEL SECURITY;

REVOKE ALL ON FUNCTION public.sync_runs_track_org() FROM PUBLIC, anon, authenticated, service_role;

REVOKE ALL ON TABLE public.sync_runs FROM anon, authenticated, service_role;
GRANT ALL ON TABLE public.sync_runs TO service_role;

REVOKE ALL ON SEQUENCE public.sync_runs_id_seq FROM anon, authenticated, service_role;
GRANT ALL ON SEQUENCE public.sync_runs_id_seq TO service_role;
