/**
 * Issue 22: functions run locally as the platform runs them. Each row of the
 * issue's report is a test here, through the real gateway and one isolate per
 * function (a temp functions folder whose `_shared` is this repo's):
 * 1. the README's `Deno.serve(withAuth(...))` module answers (before: 503
 *    BOOT_ERROR, and a stray listener on 0.0.0.0:8000 in the gateway);
 * 2. `createHandler()` with no arguments reads its settings from `Deno.env`;
 * 3. `await req.json()` after the guard (before: 500 "Body already consumed");
 * 4. a save is served within a second, after a boot error and after a good boot.
 * Plus the isolate's environment and permissions.
 */
import assert from "node:assert/strict";
import { eventually, functionsSandbox } from "./support/functions_dir.ts";
import {
  mintAdminToken,
  mintUserToken,
  TEST_ANON_KEY,
  TEST_SUPABASE_URL,
} from "./support/tokens.ts";
import { ORG_A } from "./support/guard_harness.ts";

const README = await Deno.readTextFile(new URL("../README.md", import.meta.url));
/** The README's guard example, byte for byte. */
const README_EXAMPLE = /## The guard in one example[\s\S]*?```ts\n([\s\S]*?)```/.exec(README)![1];
const admin = await mintAdminToken(ORG_A);
const post = (body: unknown, bearer = admin): RequestInit => ({
  method: "POST",
  headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

async function nothingListensOn(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return false;
  } catch {
    return true;
  }
}

Deno.test("runtime: the README's guard example runs unchanged; no listener on :8000", async () => {
  assert.match(README_EXAMPLE, /^Deno\.serve\(withAuth\(/m);
  const box = await functionsSandbox({ "odoo-crm-sync": README_EXAMPLE });
  try {
    const res = await box.call("odoo-crm-sync", post({ mode: "full" }));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { org: ORG_A, mode: "full" });
    const member = await mintUserToken({ app_metadata: { claims: { organization_id: ORG_A } } });
    const refused = await box.call("odoo-crm-sync", post({}, member));
    assert.equal(refused.status, 403);
    assert.ok(await nothingListensOn(8000), "a stray listener on port 8000");
  } finally {
    await box.close();
  }
});

const NO_ARGS = `import { withAuth } from "../_shared/auth-guard.ts";
export function createHandler() {
  return withAuth(async (req, auth) => {
    const { name } = await req.json();
    return Response.json({ hello: name, org: auth.orgId });
  }, { functionName: "hello-org", methods: ["POST"] });
}
if (import.meta.main) Deno.serve(createHandler());
`;

Deno.test("runtime: createHandler() with no arguments reads Deno.env; req.json() after the guard", async () => {
  const box = await functionsSandbox({ "hello-org": NO_ARGS });
  try {
    const res = await box.call("hello-org", post({ org_id: ORG_A, name: "Ada" }));
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { hello: "Ada", org: ORG_A });
  } finally {
    await box.close();
  }
});

const version = (n: number) => `Deno.serve(() => Response.json({ version: ${n} }));\n`;

Deno.test("runtime: a save is served within a second; a boot error is 503 + logged, then recovers", async () => {
  const box = await functionsSandbox({ edit: version(1) });
  const answer = async () => {
    const res = await box.call("edit");
    return { status: res.status, body: await res.json() };
  };
  try {
    assert.deepEqual(await answer(), { status: 200, body: { version: 1 } });
    await box.write("edit", version(2));
    const saved = Date.now();
    await eventually("version 2", 1000, async () => (await answer()).body.version === 2);
    assert.ok(Date.now() - saved < 1000);

    await box.write("edit", `throw new Error("typo in edit");\n`);
    await eventually("BOOT_ERROR", 1000, async () => (await answer()).status === 503);
    assert.deepEqual((await answer()).body.code, "BOOT_ERROR");
    const logged = (e: Record<string, unknown>) =>
      e.event === "function_boot_failed" && /Error: typo in edit/.test(String(e.error));
    await eventually(
      "the boot error in the log",
      1000,
      () => Promise.resolve(box.events().some(logged)),
    );

    await box.write("edit", version(3));
    await eventually("recovered", 1000, async () => (await answer()).body.version === 3);
  } finally {
    await box.close();
  }
});

const PROBE = `Deno.serve(async (req) => {
  const url = new URL(req.url);
  const attempt = async (f) => { try { await f(); return "allowed"; } catch (e) { return e.name; } };
  return Response.json({
    url: url.pathname + url.search,
    env: Object.fromEntries(["SUPABASE_URL", "SUPABASE_ANON_KEY", "PROJECT_SECRET", "EDGE_RUNTIME_PORT"]
      .map((n) => [n, Deno.env.get(n) ?? null])),
    write: await attempt(() => Deno.writeTextFile("probe.txt", "x")),
    run: await attempt(() => new Deno.Command("/bin/true").output()),
    readOutside: await attempt(() => Deno.readTextFile("/etc/hostname")),
    readOwn: await attempt(() => Deno.readTextFile(new URL(import.meta.url).pathname)),
    edgeRuntime: typeof EdgeRuntime.waitUntil,
  });
});
`;

Deno.test("runtime: the isolate's env (injected + secrets file) and edge-function permissions", async () => {
  const box = await functionsSandbox({ probe: PROBE });
  try {
    // The secrets file (supabase/functions/.env) is read at each isolate start.
    await Deno.writeTextFile(`${box.dir}/.env`, "PROJECT_SECRET=s3\nSUPABASE_URL=http://wrong\n");
    await eventually("secrets file applied", 2000, async () => {
      const env = (await (await box.call("probe")).json()).env;
      return env.PROJECT_SECRET === "s3";
    });
    const res = await box.call("probe/a/b?x=1");
    assert.deepEqual(await res.json(), {
      url: "/probe/a/b?x=1",
      env: {
        SUPABASE_URL: TEST_SUPABASE_URL, // the injected value wins over the file
        SUPABASE_ANON_KEY: TEST_ANON_KEY,
        PROJECT_SECRET: "s3",
        EDGE_RUNTIME_PORT: null,
      },
      write: "NotCapable",
      run: "NotCapable",
      readOutside: "NotCapable",
      readOwn: "allowed",
      edgeRuntime: "function",
    });
  } finally {
    await box.close();
  }
});
