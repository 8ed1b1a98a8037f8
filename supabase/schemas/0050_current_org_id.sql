-- supabase/schemas/0050_current_org_id.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE FUNCTION public.current_org_id() RETURNS uuid
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $_$
  select case
    when v ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then v::uuid
  end
  from (
    select case when jsonb_typeof(auth.jwt() -> 'app_metadata' -> 'claims') = 'object'
      then auth.jwt() -> 'app_metadata' -> 'claims' ->> 'organization_id' end as v
  ) claim
$_$;

REVOKE ALL ON FUNCTION public.current_org_id() FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.current_org_id() TO authenticated;
GRANT ALL ON FUNCTION public.current_org_id() TO service_role;
