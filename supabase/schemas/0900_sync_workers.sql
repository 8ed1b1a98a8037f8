-- supabase/schemas/0900_sync_workers.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.sync_workers (
    id bigint NOT NULL,
    job text NOT NULL,
    woken_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    lease_until timestamp with time zone NOT NULL,
    stopped_at timestamp with time zone,
    claimed integer DEFAULT 0 NOT NULL,
    request_id bigint
);

ALTER TABLE public.sync_workers ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.sync_workers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

ALTER TABLE ONLY public.sync_workers
    ADD CONSTRAINT sync_workers_pkey PRIMARY KEY (id);

CREATE INDEX sync_workers_live_idx ON public.sync_workers USING btree (job, lease_until) WHERE (stopped_at IS NULL);

CREATE INDEX sync_workers_woken_idx ON public.sync_workers USING btree (woken_at);

ALTER TABLE public.sync_workers ENABLE ROW LEVEL SECURITY;

REVOKE ALL ON TABLE public.sync_workers FROM anon, authenticated, service_role;
GRANT SELECT ON TABLE public.sync_workers TO service_role;

REVOKE ALL ON SEQUENCE public.sync_workers_id_seq FROM anon, authenticated, service_role;
GRANT ALL ON SEQUENCE public.sync_workers_id_seq TO anon;
GRANT ALL ON SEQUENCE public.sync_workers_id_seq TO authenticated;
GRANT ALL ON SEQUENCE public.sync_workers_id_seq TO service_role;
