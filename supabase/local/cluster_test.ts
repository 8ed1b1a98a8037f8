/**
 * The test database is a hosted Supabase database: Supabase's real extensions
 * (not stand-ins), supautils guarding the non-superuser `postgres`, and Vault
 * keyed by the per-cluster getkey script.
 */
import assert from "node:assert/strict";
import { adminUrlFor } from "./cluster.ts";
import { vaultRootKey, writeHostedFiles } from "./_cluster/hosted.ts";
import { connect, testDatabaseUrl } from "../../tests/support/db.ts";

Deno.test("the real extensions are installed, by supabase_admin, the migrations' ones through supautils", async () => {
  const sql = connect(await testDatabaseUrl());
  try {
    const rows =
      await sql`select e.extname, e.extversion, e.extnamespace::regnamespace::text as schema,
        e.extowner::regrole::text as owner
      from pg_extension e where e.extname in ('pg_cron', 'pg_net', 'supabase_vault')
      order by e.extname`;
    assert.deepEqual(rows.map((r) => ({ ...r })), [
      { extname: "pg_cron", extversion: "1.4-1", schema: "pg_catalog", owner: "supabase_admin" },
      // The v0.20.5 tag still declares 0.20.4 (docs/third-party.md).
      { extname: "pg_net", extversion: "0.20.4", schema: "extensions", owner: "supabase_admin" },
      { extname: "supabase_vault", extversion: "0.3.1", schema: "vault", owner: "supabase_admin" },
    ]);
    // pg_net's C worker runs (the function raises otherwise).
    await sql`select net.check_worker_is_up()`;
    const [me] =
      await sql`select rolsuper, current_setting('supautils.privileged_role') as privileged
      from pg_roles where rolname = current_user`;
    assert.deepEqual({ ...me }, { rolsuper: false, privileged: "postgres" });
  } finally {
    await sql.end();
  }
});

Deno.test("supautils keeps postgres off the reserved roles, as on hosted", async () => {
  const sql = connect(await testDatabaseUrl());
  try {
    for (const statement of ["alter role anon login", "alter role authenticator rename to x"]) {
      await assert.rejects(sql.unsafe(statement), /reserved/, statement);
    }
  } finally {
    await sql.end();
  }
});

Deno.test("Vault encrypts with the root key from the cluster's getkey script", async () => {
  const url = await testDatabaseUrl();
  const sql = connect(url);
  const admin = connect(adminUrlFor(url), { max: 1 });
  try {
    await sql.begin(async (tx) => {
      const [{ id }] = await tx`select vault.create_secret('plain-text-42', 'cluster-test') as id`;
      const [row] = await tx`select s.secret, d.decrypted_secret from vault.secrets s
        join vault.decrypted_secrets d using (id) where s.id = ${id}`;
      assert.equal(row.decrypted_secret, "plain-text-42");
      assert.doesNotMatch(row.secret, /plain-text-42/);
      await tx`select vault.update_secret(${id}, 'plain-text-43')`;
      const [upd] = await tx`select decrypted_secret from vault.decrypted_secrets where id = ${id}`;
      assert.equal(upd.decrypted_secret, "plain-text-43");
      throw new Error("rollback");
    }).catch((err) => assert.equal(err.message, "rollback"));
    const [{ script }] = await admin`select current_setting('vault.getkey_script') as script`;
    const out = await new Deno.Command(script, { stdout: "piped" }).output();
    assert.match(new TextDecoder().decode(out.stdout), /^[0-9a-f]{64}\n$/);
  } finally {
    await sql.end();
    await admin.end();
  }
});

Deno.test("each cluster gets its own 64-hex Vault root key", async () => {
  assert.match(vaultRootKey(), /^[0-9a-f]{64}$/);
  const dirs = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  try {
    const keys = await Promise.all(dirs.map(async (dir) => {
      const { getkeyScript, customScripts } = await writeHostedFiles(dir);
      assert.ok((await Deno.stat(`${customScripts}/pg_cron/after-create.sql`)).isFile);
      const out = await new Deno.Command(getkeyScript, { stdout: "piped" }).output();
      return new TextDecoder().decode(out.stdout);
    }));
    assert.notEqual(keys[0], keys[1]);
  } finally {
    for (const dir of dirs) await Deno.remove(dir, { recursive: true });
  }
});
