-- supabase/schemas/1500_cron_http_requests.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.cron_http_requests (
    request_id bigint NOT NULL,
    job_name text NOT NULL,
    function_name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

COMMENT ON TABLE public.cron_http_requests IS 'pg_net request id -> cron job and edge function (written by the cron jobs, kept 7 days).';

ALTER TABLE ONLY public.cron_http_requests
    ADD CONSTRAINT cron_http_requests_pkey PRIMARY KEY (request_id);

CREATE INDEX cron_http_requests_created_at_idx ON public.cron_http_requests USING btree (created_at);

ALTER TABLE public.cron_http_requests ENABLE ROW LEVEL SECURITY;

REVOKE ALL ON TABLE public.cron_http_requests FROM anon, authenticated, service_role;
GRANT SELECT ON TABLE public.cron_http_requests TO service_role;
