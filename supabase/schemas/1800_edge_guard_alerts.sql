-- supabase/schemas/1800_edge_guard_alerts.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE FUNCTION edge_guard.alert_scope() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
begin
  new.org_id := coalesce(new.org_id, edge_guard.alert_org(new.check_id, new.subject));
  new.project_wide := new.org_id is null and edge_guard.alert_project_wide(new.check_id);
  return new;
end
$$;

CREATE TABLE public.edge_guard_alerts (
    id bigint NOT NULL,
    check_id text NOT NULL,
    subject text NOT NULL,
    severity text NOT NULL,
    detail text NOT NULL,
    opened_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    resolved_at timestamp with time zone,
    opened_notification_id bigint,
    resolved_notification_id bigint,
    org_id uuid,
    project_wide boolean DEFAULT false NOT NULL,
    CONSTRAINT edge_guard_alerts_resolved_after CHECK (((resolved_at IS NULL) OR (resolved_at >= opened_at))),
    CONSTRAINT edge_guard_alerts_severity CHECK ((severity = ANY (ARRAY['error'::text, 'warn'::text])))
);

COMMENT ON TABLE public.edge_guard_alerts IS 'Watchdog alerts: one open row per (check_id, subject); resolved_at is set on the first evaluation that no longer finds the problem.';

COMMENT ON COLUMN public.edge_guard_alerts.org_id IS 'The one organization the alert concerns (its org, run or bot); null when it concerns no single organization.';

COMMENT ON COLUMN public.edge_guard_alerts.project_wide IS 'True when the alert stops every organization''s jobs (a cron job, a Vault secret): every organization sees it.';

ALTER TABLE public.edge_guard_alerts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.edge_guard_alerts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

ALTER TABLE ONLY public.edge_guard_alerts
    ADD CONSTRAINT edge_guard_alerts_pkey PRIMARY KEY (id);

CREATE UNIQUE INDEX edge_guard_alerts_open_key ON public.edge_guard_alerts USING btree (check_id, subject) WHERE (resolved_at IS NULL);

CREATE INDEX edge_guard_alerts_opened_idx ON public.edge_guard_alerts USING btree (opened_at DESC);

CREATE INDEX edge_guard_alerts_org_open_idx ON public.edge_guard_alerts USING btree (org_id) WHERE (resolved_at IS NULL);

CREATE TRIGGER edge_guard_alerts_scope BEFORE INSERT ON public.edge_guard_alerts FOR EACH ROW EXECUTE FUNCTION edge_guard.alert_scope();

ALTER TABLE public.edge_guard_alerts ENABLE ROW LEVEL SECURITY;

REVOKE ALL ON FUNCTION edge_guard.alert_scope() FROM PUBLIC;

REVOKE ALL ON TABLE public.edge_guard_alerts FROM anon, authenticated, service_role;
GRANT SELECT ON TABLE public.edge_guard_alerts TO service_role;

REVOKE ALL ON SEQUENCE public.edge_guard_alerts_id_seq FROM anon, authenticated, service_role;
