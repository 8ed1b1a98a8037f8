/**
 * The plan PostgreSQL really runs inside `get_integration_credential`, called as
 * service_role over 100,000 credential rows (33,334 organizations: the unique
 * (org_id, integration_type) index allows three rows per organization), is an
 * index lookup. auto_explain reports the function's nested statement; the
 * transaction is rolled back. Runs as `supabase_admin`: loading auto_explain
 * and its settings are superuser-only (on the platform it is preloaded).
 */
import assert from "node:assert/strict";
import { connect, testDatabaseUrl } from "../../tests/support/db.ts";
import { adminUrlFor } from "../local/cluster.ts";

class Rollback extends Error {}

Deno.test("get_integration_credential uses the (org_id, integration_type) index at 100k rows", async () => {
  const notices: string[] = [];
  const sql = connect(adminUrlFor(await testDatabaseUrl()), {
    max: 1,
    onnotice: (n) => notices.push(n.message),
  });
  let secret: string | undefined;
  try {
    await sql.begin(async (tx) => {
      await tx`create temp table plan_orgs on commit drop as
        select gen_random_uuid() as id, g from generate_series(1, 33334) g`;
      await tx`insert into public.organizations (id, name) select id, 'plan ' || g from plan_orgs`;
      await tx`insert into public.integration_credentials (org_id, integration_type, vault_secret_id)
        select o.id, t.type, gen_random_uuid()
        from plan_orgs o cross join unnest(array['odoo', 'xledger', 'dynamics']) t(type)
        order by o.g, t.type limit 99999`;
      const [org] = await tx`select id from plan_orgs where g = 33334`;
      await tx`select public.upsert_integration_credential(${org.id}, 'odoo', 'the-secret')`;
      await tx`analyze public.integration_credentials`;
      await tx`load 'auto_explain'`;
      await tx`set local auto_explain.log_min_duration = 0`;
      await tx`set local auto_explain.log_nested_statements = on`;
      await tx`set local auto_explain.log_level = notice`;
      await tx`set local role service_role`;
      const rows =
        await tx`select secret from public.get_integration_credential(${org.id}, 'odoo')`;
      secret = rows[0]?.secret;
      throw new Rollback();
    }).catch((err) => {
      if (!(err instanceof Rollback)) throw err;
    });
  } finally {
    await sql.end();
  }
  assert.equal(secret, "the-secret");
  const plan = notices.find((n) => n.includes("from public.integration_credentials c"));
  assert.ok(plan, `no plan for the lookup among ${notices.length} notices`);
  assert.doesNotMatch(plan, /Seq Scan on integration_credentials/);
  assert.match(
    plan,
    /(Index Scan using|Bitmap Index Scan on) integration_credentials_org_type_key/,
  );
  assert.match(plan, /org_id = \$1\) AND \(integration_type = \$2/);
});
