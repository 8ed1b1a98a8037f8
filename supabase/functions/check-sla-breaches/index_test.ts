/**
 * check-sla-breaches against a real database: which leads breach which policy
 * (age, active, stage filters, disabled policies), one breach per lead and
 * policy however often it runs, counts per org, and an org-scoped run.
 */
import assert from "node:assert/strict";
import { createHandler } from "./index.ts";
import { connect, resetAppData, type Sql, testDatabaseUrl } from "../../../tests/support/db.ts";
import { TEST_SERVICE_ROLE_KEY, testAuthEnv } from "../../../tests/support/tokens.ts";
import { captureLogs } from "../../../tests/support/guard_harness.ts";
import { assertNoSecrets, call, newOrg } from "../../../tests/support/bots_fixtures.ts";

const NOW = new Date("2026-11-23T18:20:00Z");
const hoursAgo = (h: number, from = NOW) => new Date(from.getTime() - h * 3_600_000);

interface Lead {
  odoo_id: number;
  write_date: Date | null;
  create_date?: Date;
  active?: boolean;
  stage_id?: number;
  stage_name?: string;
}

async function lead(sql: Sql, org: string, l: Lead): Promise<void> {
  await sql`insert into public.crm_leads
      (org_id, odoo_id, write_date, create_date, active, stage_id, stage_name)
    values (${org}, ${l.odoo_id}, ${l.write_date}, ${l.create_date ?? null}, ${l.active ?? true},
      ${l.stage_id ?? null}, ${l.stage_name ?? null})`;
}

async function policy(
  sql: Sql,
  org: string,
  p: { hours: number; stage_id?: number; stage_name?: string; enabled?: boolean },
): Promise<string> {
  const [{ id }] = await sql`insert into public.sla_policies
      (org_id, name, max_hours_without_progress, stage_id, stage_name, enabled)
    values (${org}, ${crypto.randomUUID()}, ${p.hours}, ${p.stage_id ?? null},
      ${p.stage_name ?? null}, ${p.enabled ?? true})
    returning id`;
  return id;
}

const breaches = async (sql: Sql) =>
  (await sql`select policy_id, lead_odoo_id, hours_overdue::float8 as hours_overdue,
      last_progress_at, detected_at
    from public.sla_breaches order by policy_id, lead_odoo_id`).map((r) => ({ ...r }));

/** Four orgs, their policies and leads; returns the ids and the breaches a first run must record. */
async function seed(sql: Sql) {
  const [a, b, c, d] = [await newOrg(sql), await newOrg(sql), await newOrg(sql), await newOrg(sql)];
  const pa = await policy(sql, a, { hours: 24 });
  const pb = await policy(sql, b, { hours: 1.5, stage_id: 3 });
  const pbWon = await policy(sql, b, { hours: 1, stage_name: "Won" });
  await policy(sql, c, { hours: 1, enabled: false });
  await policy(sql, d, { hours: 1 });
  await lead(sql, a, { odoo_id: 1, write_date: hoursAgo(48) }); // breach, 24 h over
  await lead(sql, a, { odoo_id: 2, write_date: hoursAgo(1) }); // fresh
  await lead(sql, a, { odoo_id: 3, write_date: hoursAgo(48), active: false }); // archived
  await lead(sql, a, { odoo_id: 4, write_date: null, create_date: hoursAgo(30) }); // breach, 6 h over
  await lead(sql, a, { odoo_id: 5, write_date: hoursAgo(24) }); // exactly at the limit
  await lead(sql, b, { odoo_id: 1, write_date: hoursAgo(3), stage_id: 3, stage_name: "Lead" });
  await lead(sql, b, { odoo_id: 2, write_date: hoursAgo(3), stage_id: 4, stage_name: "Won" });
  await lead(sql, c, { odoo_id: 1, write_date: hoursAgo(100) }); // policy disabled
  const expected = [
    { policy_id: pa, lead_odoo_id: "1", hours_overdue: 24, last_progress_at: hoursAgo(48) },
    { policy_id: pa, lead_odoo_id: "4", hours_overdue: 6, last_progress_at: hoursAgo(30) },
    { policy_id: pb, lead_odoo_id: "1", hours_overdue: 1.5, last_progress_at: hoursAgo(3) },
    { policy_id: pbWon, lead_odoo_id: "2", hours_overdue: 2, last_progress_at: hoursAgo(3) },
  ].sort((x, y) =>
    `${x.policy_id}${x.lead_odoo_id}`.localeCompare(`${y.policy_id}${y.lead_odoo_id}`)
  );
  return { a, b, d, expected };
}

const counts = (report: { orgs: { org_id: string; new_breaches: number }[] }) =>
  Object.fromEntries(report.orgs.map((o) => [o.org_id, o.new_breaches]));

Deno.test("check-sla-breaches: records each overdue lead once per policy, counts per org", async () => {
  const sql = connect(await testDatabaseUrl());
  try {
    await resetAppData(sql);
    const { a, b, d, expected } = await seed(sql);
    const { logger, lines } = captureLogs();
    let now = NOW;
    const handler = createHandler({ sql, env: testAuthEnv(), logger, now: () => now });
    const run = async (json: unknown = { scheduled_for: "2026-11-23T18:20:00+00:00" }) => {
      const res = await handler(
        call("check-sla-breaches", { bearer: TEST_SERVICE_ROLE_KEY, json }),
      );
      assert.equal(res.status, 200);
      return await res.json();
    };

    assert.deepEqual(counts(await run({ org_id: b })), { [b]: 2 }, "a named org only");
    const first = await run();
    assert.equal(first.checked_at, NOW.toISOString());
    assert.deepEqual(counts(first), { [a]: 2, [b]: 0, [d]: 0 });
    assert.equal(first.new_breaches, 2);
    const recorded = await breaches(sql);
    assert.deepEqual(recorded.map(({ detected_at: _, ...r }) => r), expected);

    const second = await run();
    assert.equal(second.new_breaches, 0, "running again records nothing new");
    assert.deepEqual(await breaches(sql), recorded, "existing breaches are left as they are");

    now = new Date(NOW.getTime() + 48 * 3_600_000);
    const later = await run();
    assert.deepEqual(counts(later), { [a]: 2, [b]: 0, [d]: 0 }, "leads 2 and 5 are overdue now");
    assertNoSecrets(lines);
  } finally {
    await sql.end();
  }
});
