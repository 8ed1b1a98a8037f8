/**
 * docs/database.md's "store it" step and docs/operations.md's key rotation,
 * run exactly as written (placeholders filled in) as `postgres` in the SQL
 * editor would: the rotation changes the secret and nothing else (issue 23).
 */
import assert from "node:assert/strict";
import { connect, testDatabaseUrl } from "./support/db.ts";

/** The ```sql block of `page` that contains `marker`, unindented. */
async function sqlBlock(page: string, marker: string): Promise<string> {
  const text = await Deno.readTextFile(new URL(`../docs/${page}`, import.meta.url));
  const blocks = [...text.matchAll(/^( *)```sql\n([\s\S]*?)^ *```/gm)]
    .map(([, indent, body]) => body.split("\n").map((l) => l.slice(indent.length)).join("\n"));
  const found = blocks.filter((b) => b.includes(marker));
  assert.equal(found.length, 1, `one sql block in docs/${page} holds ${marker}`);
  return found[0];
}

Deno.test("docs: rotating an organization's Odoo key keeps its URL, database and login", async () => {
  const sql = connect(await testDatabaseUrl());
  const org = crypto.randomUUID();
  const fill = (block: string) =>
    block.replaceAll("<org uuid>", org).replaceAll("<Odoo API key>", "first-key")
      .replaceAll("<new Odoo API key>", "rotated-key");
  try {
    await sql`insert into public.organizations (id, name) values (${org}, 'Rotation Org')`;
    await sql.unsafe(fill(await sqlBlock("database.md", "'<Odoo API key>'")));
    const before = await sql`select base_url, database_name, login, settings, secret
      from public.get_integration_credential(${org}, 'odoo')`;
    assert.equal(before[0].secret, "first-key");
    await sql.unsafe(fill(await sqlBlock("operations.md", "'<new Odoo API key>'")));
    const after = await sql`select base_url, database_name, login, settings, secret
      from public.get_integration_credential(${org}, 'odoo')`;
    assert.deepEqual({ ...after[0] }, { ...before[0], secret: "rotated-key" });
    assert.ok(before[0].base_url && before[0].database_name && before[0].login);
  } finally {
    await sql`delete from vault.secrets where name = ${`integration:${org}:odoo`}`;
    await sql`delete from public.organizations where id = ${org}`;
    await sql.end();
  }
});
