import assert from "node:assert/strict";
import { APP_TABLES, connect, resetAppData, testDatabaseUrl } from "./db.ts";

Deno.test("resetAppData empties the application tables and leaves cron and Vault alone", async () => {
  const sql = connect(await testDatabaseUrl());
  try {
    const [{ jobs }] = await sql`select count(*)::int as jobs from cron.job`;
    const [{ secrets }] = await sql`select count(*)::int as secrets from vault.secrets`;
    const [org] =
      await sql`insert into public.organizations (name) values ('reset me') returning id`;
    await sql`insert into public.crm_leads (org_id, odoo_id) values (${org.id}, 1)`;
    await sql`insert into public.sync_runs (idempotency_key, integration, job, scheduled_for)
      values ('reset:test:1', 'odoo', 'test', now())`;

    await resetAppData(sql);

    for (const t of APP_TABLES) {
      const [{ n }] = await sql`select count(*)::int as n from ${sql("public")}.${sql(t)}`;
      assert.equal(n, 0, t);
    }
    const [after] = await sql`select (select count(*)::int from cron.job) as jobs,
      (select count(*)::int from vault.secrets) as secrets`;
    assert.deepEqual({ ...after }, { jobs, secrets });
  } finally {
    await sql.end();
  }
});
