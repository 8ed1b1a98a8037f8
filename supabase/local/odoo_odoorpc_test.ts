/**
 * Fidelity of the fake Odoo checked with a client nobody here wrote: Debian's
 * python3-odoorpc logs in (`/web/webclient/version_info`,
 * `/web/session/authenticate`) and runs `search_read` through `/jsonrpc`; a
 * wrong key gives `odoo.exceptions.AccessDenied`. `./dev test` installs the
 * package from Debian when it is missing.
 */
import assert from "node:assert/strict";
import { makeLeads, startOdooServer } from "./odoo.ts";

const KEY = "odoorpc-key-3b1f";
// Debian's package installs into the system interpreter, not a pyenv/venv one first in PATH.
const PYTHON = "/usr/bin/python3";

async function sh(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

async function ensureOdoorpc(): Promise<void> {
  const r = await sh(PYTHON, ["-c", "import odoorpc"]);
  assert.equal(r.code, 0, `python3-odoorpc is missing (./dev test installs it): ${r.stderr}`);
}

const SCRIPT = `
import json, sys, odoorpc
host, port, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]
odoo = odoorpc.ODOO(host, port=port)
try:
    odoo.login("acme", "sync@acme.test", key)
except odoorpc.error.RPCError as e:
    print(json.dumps({"error": e.info["data"]["name"]}))
    sys.exit(0)
rows = odoo.execute_kw("crm.lead", "search_read", [[["id", "<=", 3]]],
                       {"fields": ["name", "write_date"], "order": "id asc"})
print(json.dumps({"version": odoo.version, "uid": odoo.env.uid, "rows": rows}))
`;

for (const version of [17, 19] as const) {
  Deno.test(`odoorpc logs in to the fake Odoo ${version} and runs search_read; a wrong key is AccessDenied`, async () => {
    await ensureOdoorpc();
    const leads = makeLeads(5, { start: new Date("2024-01-01T00:00:00Z") });
    const odoo = startOdooServer({
      db: "acme",
      version,
      users: [{ login: "sync@acme.test", apiKey: KEY, uid: 7 }],
      records: { "crm.lead": leads },
    });
    try {
      const port = new URL(odoo.url).port;
      const ok = await sh(PYTHON, ["-c", SCRIPT, "127.0.0.1", port, KEY]);
      assert.equal(ok.code, 0, ok.stderr);
      const got = JSON.parse(ok.stdout);
      assert.equal(got.version, `${version}.0`);
      assert.equal(got.uid, 7);
      assert.deepEqual(
        got.rows,
        leads.slice(0, 3).map((l) => ({ id: l.id, name: l.name, write_date: l.write_date })),
      );
      const bad = await sh(PYTHON, ["-c", SCRIPT, "127.0.0.1", port, "wrong-key"]);
      assert.equal(bad.code, 0, bad.stderr);
      assert.deepEqual(JSON.parse(bad.stdout), { error: "odoo.exceptions.AccessDenied" });
    } finally {
      await odoo.close();
    }
  });
}
