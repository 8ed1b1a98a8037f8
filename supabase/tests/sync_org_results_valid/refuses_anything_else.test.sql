-- public.sync_org_results_valid: anything but the declared shape is refused,
-- and the constraint sync_runs_org_results_shape refuses it on write (23514),
-- so a writer that drifts from the shape fails loudly instead of leaving rows
-- its readers misread.
begin;
create extension if not exists pgtap;
select plan(2);

select is(array_agg(n order by n) filter (where public.sync_org_results_valid(v::jsonb)), null,
  'no refused shape is accepted')
from (values
  (1, '[]'),
  (2, '{"not-an-org-id": {"status": "ok", "complete": true}}'),
  (3, '{"a1000000-0000-4000-8000-0000000000a1": "ok"}'),
  (4, '{"a1000000-0000-4000-8000-0000000000a1": {"status": "done", "complete": true}}'),
  (5, '{"a1000000-0000-4000-8000-0000000000a1": {"status": "ok"}}'),
  (6, '{"a1000000-0000-4000-8000-0000000000a1": {"status": "ok", "complete": "yes"}}'),
  (7, '{"a1000000-0000-4000-8000-0000000000a1": {"status": "error"}}'),
  (8, '{"a1000000-0000-4000-8000-0000000000a1": {"status": "error", "error": "Odoo said: Access Denied"}}'),
  (9, '{"a1000000-0000-4000-8000-0000000000a1": {"status": "ok", "complete": true, "fetched": -1}}'),
  (10, '{"a1000000-0000-4000-8000-0000000000a1": {"status": "ok", "complete": true, "pages": 1.5}}'),
  (11, '{"a1000000-0000-4000-8000-0000000000a1": {"status": "ok", "complete": true, "detail": "x"}}'),
  (12, '{"a1000000-0000-4000-8000-0000000000a1": {"status": "ok", "complete": true, "error": "odoo_timeout"}}'))
  as t(n, v);
select throws_ok($$insert into public.sync_runs (idempotency_key, integration, job, scheduled_for, org_results)
    values ('shape:test', 'odoo', 'crm', now(), '{"a1000000-0000-4000-8000-0000000000a1": {"status": "done"}}')$$,
  '23514', null, 'a write of another shape fails');

select * from finish();
rollback;
