-- supabase/schemas/1700_edge_guard_call_outcomes.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.edge_guard_call_outcomes (
    request_id bigint NOT NULL,
    job_name text NOT NULL,
    function_name text NOT NULL,
    requested_at timestamp with time zone NOT NULL,
    status_code integer,
    timed_out boolean DEFAULT false NOT NULL,
    error text,
    responded_at timestamp with time zone NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL
);

COMMENT ON TABLE public.edge_guard_call_outcomes IS 'Durable copy of each cron call''s pg_net outcome (cron_http_requests join net._http_response), written by public.edge_guard_watchdog() before pg_net''s TTL deletes the response.';

COMMENT ON COLUMN public.edge_guard_call_outcomes.responded_at IS 'net._http_response.created: when pg_net''s worker began the batch that sent the call (before the HTTP request), not when the answer came; every call of one batch has the same value.';

ALTER TABLE ONLY public.edge_guard_call_outcomes
    ADD CONSTRAINT edge_guard_call_outcomes_pkey PRIMARY KEY (request_id);

CREATE INDEX edge_guard_call_outcomes_job_idx ON public.edge_guard_call_outcomes USING btree (job_name, requested_at DESC);

CREATE INDEX edge_guard_call_outcomes_requested_idx ON public.edge_guard_call_outcomes USING btree (requested_at);

ALTER TABLE public.edge_guard_call_outcomes ENABLE ROW LEVEL SECURITY;

REVOKE ALL ON TABLE public.edge_guard_call_outcomes FROM anon, authenticated, service_role;
GRANT SELECT ON TABLE public.edge_guard_call_outcomes TO service_role;
