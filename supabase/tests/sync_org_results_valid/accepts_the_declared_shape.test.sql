-- public.sync_org_results_valid (supabase/schemas/0060_sync_org_results_valid.sql):
-- the declared shape of sync_runs.org_results, organization id -> result:
-- {"status": "ok", "complete": bool, counts} or {"status": "error", "error":
-- code, counts}, counts being whole numbers; an empty object is a run that
-- reached no organization. (The TypeScript writer's every variant is
-- round-tripped through it by tests/org_results_shape_test.ts.)
begin;
create extension if not exists pgtap;
select plan(1);

select is(array_agg(public.sync_org_results_valid(v::jsonb) order by n), array_fill(true, array[5]),
  'every declared shape is accepted')
from (values
  (1, '{}'),
  (2, '{"a1000000-0000-4000-8000-0000000000a1": {"status": "ok", "complete": true, "fetched": 2, "upserted": 2, "pages": 1, "deleted": 0}}'),
  (3, '{"a1000000-0000-4000-8000-0000000000a1": {"status": "ok", "complete": false}}'),
  (4, '{"a1000000-0000-4000-8000-0000000000a1": {"status": "error", "error": "odoo_auth_failed", "fetched": 0, "upserted": 0, "pages": 0, "deleted": 0}}'),
  (5, '{"a1000000-0000-4000-8000-0000000000a1": {"status": "ok", "complete": true}, "b2000000-0000-4000-8000-0000000000b2": {"status": "error", "error": "odoo_timeout"}}'))
  as t(n, v);

select * from finish();
rollback;
