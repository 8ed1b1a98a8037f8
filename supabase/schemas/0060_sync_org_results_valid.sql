-- supabase/schemas/0060_sync_org_results_valid.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE FUNCTION public.sync_org_results_valid(p_results jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $_$
  select pg_catalog.jsonb_typeof(p_results) = 'object' and not exists (
    select 1 from pg_catalog.jsonb_each(case when pg_catalog.jsonb_typeof(p_results) = 'object'
      then p_results else '{}' end) e(org, r)
    where not coalesce(
      e.org ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      and pg_catalog.jsonb_typeof(e.r) = 'object'
      and case e.r ->> 'status'
        when 'ok' then pg_catalog.jsonb_typeof(e.r -> 'complete') = 'boolean'
          and not e.r ? 'error'
        when 'error' then pg_catalog.jsonb_typeof(e.r -> 'error') = 'string'
          and e.r ->> 'error' ~ '^[a-z][a-z0-9_]{0,63}$' and not e.r ? 'complete'
        else false end
      and not exists (
        select 1 from pg_catalog.jsonb_each(case when pg_catalog.jsonb_typeof(e.r) = 'object'
          then e.r else '{}' end) f(k, v)
        where case
          when f.k in ('status', 'complete', 'error') then false
          when f.k in ('fetched', 'upserted', 'pages', 'deleted') then
            pg_catalog.jsonb_typeof(f.v) <> 'number'
            or f.v::text !~ '^[0-9]+$'
          else true end), false))
$_$;

REVOKE ALL ON FUNCTION public.sync_org_results_valid(p_results jsonb) FROM PUBLIC, anon, authenticated, service_role;
GRANT ALL ON FUNCTION public.sync_org_results_valid(p_results jsonb) TO service_role;
