-- supabase/schemas/0500_sync_cursors.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE TABLE public.sync_cursors (
    org_id uuid NOT NULL,
    job text NOT NULL,
    cursor_write_date timestamp with time zone,
    cursor_id bigint,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    reconciled_at timestamp with time zone,
    pass_write_date timestamp with time zone,
    pass_id bigint,
    pass_started_at timestamp with time zone,
    refresh_after_id bigint,
    refresh_started_at timestamp with time zone,
    refreshed_at timestamp with time zone,
    stalled_runs integer DEFAULT 0 NOT NULL,
    progressed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

COMMENT ON COLUMN public.sync_cursors.pass_write_date IS 'With pass_id: where the unfinished incremental pass continues (null: the last pass ended).';

COMMENT ON COLUMN public.sync_cursors.pass_started_at IS 'When the unfinished (or the last) pass started; the next pass re-reads the overlap before it.';

COMMENT ON COLUMN public.sync_cursors.refresh_after_id IS 'Last id stored by the unfinished full refresh (null: none in progress).';

COMMENT ON COLUMN public.sync_cursors.refreshed_at IS 'When the last finished full refresh started (null: never).';

COMMENT ON COLUMN public.sync_cursors.stalled_runs IS 'Runs in a row that neither finished their work nor stored a page (the watchdog: org_sync_stalled).';

ALTER TABLE ONLY public.sync_cursors
    ADD CONSTRAINT sync_cursors_pkey PRIMARY KEY (org_id, job);

ALTER TABLE ONLY public.sync_cursors
    ADD CONSTRAINT sync_cursors_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE public.sync_cursors ENABLE ROW LEVEL SECURITY;

CREATE POLICY sync_cursors_select_own_org ON public.sync_cursors FOR SELECT TO authenticated USING ((org_id = ( SELECT public.current_org_id() AS current_org_id)));

REVOKE ALL ON TABLE public.sync_cursors FROM anon, authenticated, service_role;
GRANT ALL ON TABLE public.sync_cursors TO service_role;
GRANT SELECT ON TABLE public.sync_cursors TO authenticated;
