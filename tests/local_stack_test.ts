/**
 * The local stack (`./dev run`): the printed curl lines behave as printed, the
 * gateway routes like Supabase's, the state files and Vault secrets are right,
 * and the CLI stops everything on SIGINT. Each test starts its own stack on
 * free ports (not TEST_DATABASE_URL) and stops it.
 */
import assert from "node:assert/strict";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { startLocalStack } from "../supabase/local/stack.ts";
import { serveFunctions } from "../supabase/local/gateway.ts";
import { createLogger } from "../supabase/functions/_shared/log.ts";
import { recordLogLine } from "./support/guard_harness.ts";

// Off the console, but into the suite-wide leak scan (EDGE_GUARD_LOG_FILE).
const quiet = createLogger(recordLogLine);
const repoRoot = new URL("../", import.meta.url).pathname;

/** Splits a command line made of bare words and '...' words (with '\'' escapes). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/(?:'((?:[^']|'\\'')*)'|(\S+))/g)) {
    words.push(m[1] !== undefined ? m[1].replaceAll(`'\\''`, "'") : m[2]);
  }
  return words;
}

/** Runs a printed curl line with bash, or replays it with fetch when curl is missing. */
async function runCurlLine(line: string): Promise<{ status: number; body: string }> {
  const hasCurl = (await new Deno.Command("bash", { args: ["-c", "command -v curl"] }).output())
    .success;
  if (hasCurl) {
    const out = await new Deno.Command("bash", { args: ["-c", line], stdout: "piped" }).output();
    const text = new TextDecoder().decode(out.stdout).trimEnd();
    const m = /\nHTTP (\d{3})$/.exec(text);
    assert.ok(m, `no status line in curl output: ${text.slice(-200)}`);
    return { status: Number(m[1]), body: text.slice(0, m.index) };
  }
  const w = shellWords(line);
  const headers = new Headers();
  w.forEach((x, i) =>
    x === "-H" && headers.append(...(w[i + 1].split(/:\s*/, 2) as [string, string]))
  );
  const res = await fetch(w[w.indexOf("POST") + 1], {
    method: w[w.indexOf("-X") + 1],
    headers,
    body: w[w.indexOf("-d") + 1],
  });
  return { status: res.status, body: await res.text() };
}

Deno.test("local stack: the printed curl lines get 200 / 403 / 401 / 200 as printed", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "edge-guard-state-" });
  const stack = await startLocalStack({
    apiPort: 0,
    dbPort: 0,
    pauseCron: true,
    stateDir,
    logger: quiet,
  });
  try {
    assert.deepEqual(stack.curlLines.map((l) => l.expectStatus), [200, 403, 401, 200]);
    const results = [];
    for (const line of stack.curlLines) results.push(await runCurlLine(line.command));
    assert.deepEqual(results.map((r) => r.status), [200, 403, 401, 200]);
    assert.equal(JSON.parse(results[0].body).status, "succeeded");
    assert.deepEqual(JSON.parse(results[1].body), { error: "insufficient_permissions" });
    assert.deepEqual(JSON.parse(results[2].body), { error: "invalid_token" });
    assert.equal(JSON.parse(results[3].body).organizations[0].org_id, stack.demo.orgId);
    const [{ n }] = await stack.sql`
      select count(*)::int as n from public.crm_leads where org_id = ${stack.demo.orgId}::uuid`;
    assert.equal(n, stack.odoo!.records("crm.lead").length);
  } finally {
    await stack.stop();
    await Deno.remove(stateDir, { recursive: true });
  }
});

Deno.test("local stack: keys, tokens, Vault, seed, cron pause and state files", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "edge-guard-state-" });
  const stack = await startLocalStack({
    apiPort: 0,
    dbPort: 0,
    pauseCron: true,
    stateDir,
    logger: quiet,
    keys: { jwtSecret: "an-overridden-local-jwt-secret-of-40-chars" },
  });
  const { stackJson, functionsEnv } = stack.files!;
  try {
    const secret = new TextEncoder().encode("an-overridden-local-jwt-secret-of-40-chars");
    // A real token from Supabase Auth's password sign-in, ES256 with the published key.
    const jwks = createRemoteJWKSet(new URL(stack.urls.jwks));
    const { payload, protectedHeader } = await jwtVerify(stack.tokens.admin, jwks, {
      issuer: `${stack.urls.api}/auth/v1`,
      audience: "authenticated",
      algorithms: ["ES256"],
    });
    assert.equal(protectedHeader.kid, stack.auth.jwks().keys[0].kid);
    assert.equal(payload.role, "authenticated");
    assert.equal(payload.sub, stack.demo.adminUserId);
    assert.equal(payload.exp! - payload.iat!, 3600);
    assert.equal(typeof payload.session_id, "string");
    assert.equal(payload.is_anonymous, false);
    assert.deepEqual((payload.app_metadata as Record<string, unknown>).claims, {
      integration_admin: true,
      organization_id: stack.demo.orgId,
    });
    assert.equal(decodeProtectedHeader(stack.tokens.member).alg, "ES256");
    assert.deepEqual(JSON.parse(stack.env.SUPABASE_JWKS), stack.auth.jwks());
    const anon = await jwtVerify(stack.keys.anonKey, secret, { algorithms: ["HS256"] });
    assert.deepEqual(Object.keys(anon.payload).sort(), ["exp", "iat", "iss", "ref", "role"]);
    assert.equal(anon.payload.role, "anon");
    assert.match(stack.keys.secretKey, /^sb_secret_/);
    assert.deepEqual(JSON.parse(stack.keys.publishableKeysJson), {
      default: stack.keys.publishableKey,
    });

    const vault = await stack.sql<{ name: string; decrypted_secret: string }[]>`
      select name, decrypted_secret from vault.decrypted_secrets order by name`;
    const byName = Object.fromEntries(vault.map((r) => [r.name, r.decrypted_secret]));
    assert.equal(byName.project_url, stack.urls.api);
    assert.equal(byName.service_role_key, stack.keys.serviceRoleKey);
    const active = await stack.sql`select jobname from cron.job where active`;
    assert.deepEqual([...active], []);
    const [seed] = await stack.sql`
      select (select count(*)::int from public.integration_credentials where org_id = o.id) as creds,
        (select webhook_url from public.bots where org_id = o.id) as webhook,
        (select count(*)::int from public.sla_policies where org_id = o.id) as policies
      from public.organizations o where o.id = ${stack.demo.orgId}::uuid`;
    assert.deepEqual(seed, { creds: 1, webhook: `${stack.urls.receiver}/hook`, policies: 1 });

    const state = JSON.parse(await Deno.readTextFile(stackJson));
    assert.equal(state.dbUrl, stack.urls.db);
    assert.equal(state.functionsUrl, `${stack.urls.api}/functions/v1`);
    assert.equal(state.functionsEnvFile, functionsEnv);
    assert.equal((await Deno.stat(functionsEnv)).mode! & 0o777, 0o600);
    const dotenv = await Deno.readTextFile(functionsEnv);
    for (const [name, value] of Object.entries(stack.env)) {
      const line = dotenv.split("\n").find((l) => l.startsWith(`${name}=`));
      assert.ok(line, `${name} missing from functions.env`);
      assert.equal(line.slice(name.length + 1).replace(/^'(.*)'$/, "$1"), value);
    }
    assert.equal(stack.env.SUPABASE_DB_URL, stack.urls.db);

    const published = await fetch(stack.urls.jwks); // open route: no apikey
    assert.deepEqual((await published.json()).keys.map((k: { kid: string }) => k.kid), [
      stack.auth.jwks().keys[0].kid,
    ]);
    const health = await fetch(`${stack.urls.api}/auth/v1/health`, {
      headers: { apikey: stack.keys.anonKey },
    });
    assert.deepEqual(await health.json(), {
      version: "v2.196.0",
      name: "GoTrue",
      description: "GoTrue is a user registration and authentication API",
    });
    const keyless = await fetch(`${stack.urls.api}/auth/v1/health`);
    assert.equal(keyless.status, 401);
    assert.deepEqual(await keyless.json(), { message: "No API key found in request" });
    const unknown = await fetch(`${stack.urls.functions}/no-such-function`, { method: "POST" });
    assert.equal(unknown.status, 404);
    assert.equal((await unknown.json()).code, "NOT_FOUND");
  } finally {
    await stack.stop();
  }
  await assert.rejects(Deno.stat(stackJson), Deno.errors.NotFound);
  await assert.rejects(Deno.stat(functionsEnv), Deno.errors.NotFound);
  await assert.rejects(Deno.stat(stack.dataDir), Deno.errors.NotFound);
  await Deno.remove(stateDir, { recursive: true });
});

Deno.test("gateway: path passthrough, injected env, new folders, boot and handler errors", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-guard-fns-" });
  const write = async (name: string, source: string) => {
    await Deno.mkdir(`${dir}/${name}`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${name}/index.ts`, source);
  };
  await write(
    "echo",
    `const greeting = Deno.env.get("GREETING");
    Deno.serve(async (req) => Response.json({ url: req.url, method: req.method,
      body: await req.text(), auth: req.headers.get("authorization"), greeting,
      names: Object.keys(Deno.env.toObject()).filter((n) => !DENO_OWN.includes(n)).sort() }));
    const DENO_OWN = ["HOME", "DENO_DIR", "NO_COLOR", "PATH", "DENO_NODE_SHIM_ACTIVE"];`,
  );
  await write("broken", `export const nothing = 1;`);
  await write("_shared", `export function createHandler() { return () => new Response("no"); }`);
  const gw = await serveFunctions({
    port: 0,
    functionsDir: dir,
    env: { GREETING: "hello" },
    logger: quiet,
  });
  try {
    const res = await fetch(`${gw.functionsUrl}/echo/a/b?x=1`, {
      method: "POST",
      headers: { Authorization: "Bearer t" },
      body: "payload",
    });
    assert.equal(res.status, 200);
    const echoed = await res.json();
    // The path as on the platform; the origin is the isolate's own loopback address.
    assert.match(echoed.url, /^http:\/\/127\.0\.0\.1:\d+\/echo\/a\/b\?x=1$/);
    assert.deepEqual({ ...echoed, url: "" }, {
      url: "",
      method: "POST",
      body: "payload",
      auth: "Bearer t",
      greeting: "hello",
      names: ["GREETING"], // what the gateway injects, nothing of its own environment
    });
    const broken = await fetch(`${gw.functionsUrl}/broken`);
    assert.equal(broken.status, 503);
    assert.equal((await broken.json()).code, "BOOT_ERROR");
    for (const path of ["/functions/v1/_shared", "/functions/v1/late", "/rest/v1/x"]) {
      const r = await fetch(`${gw.url}${path}`);
      await r.body?.cancel();
      assert.equal(r.status, 404, path);
    }
    await write(
      "late",
      `Deno.serve(() => { throw new Error("x"); });`,
    );
    const late = await fetch(`${gw.functionsUrl}/late`);
    assert.equal(late.status, 500);
    assert.equal((await late.json()).code, "WORKER_ERROR");
    assert.deepEqual(await gw.functions(), ["broken", "echo", "late"]);
  } finally {
    await gw.close();
    await Deno.remove(dir, { recursive: true });
  }
});

async function readUntil(reader: ReadableStreamDefaultReader<string>, marker: string) {
  let text = "";
  while (!text.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) {
      // The status block holds keys and tokens: keep them out of the test output.
      const safe = text.split("\n").filter((l) => !/eyJ|sb_|secret|Bearer|token/i.test(l));
      throw new Error(`the stack exited before "${marker}":\n${safe.slice(-30).join("\n")}`);
    }
    text += value;
  }
  return text;
}

function processGone(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(Deno.readTextFileSync(`/proc/${pid}/status`));
  } catch {
    return true;
  }
}

Deno.test("./dev run CLI: SIGINT stops servers, Odoo and PostgreSQL (with pg_net's worker) and exits 0", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "edge-guard-state-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/local_stack.ts", "--api-port", "0", "--db-port", "0"],
    cwd: repoRoot,
    env: { LOCAL_STACK_STATE_DIR: stateDir, LOCAL_STACK_PAUSE_CRON: "1", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    const printed = await readUntil(reader, "Local stack ready. Press Ctrl-C to stop.");
    const state = JSON.parse(await Deno.readTextFile(`${stateDir}/stack.json`));
    assert.equal(state.pid, child.pid);
    assert.ok(printed.includes(`API URL: ${new URL(state.functionsUrl).origin}`));
    const odooUrl = /Odoo URL: (\S+)/.exec(printed)![1];
    const pgPid = Number(
      (await Deno.readTextFile(`${state.dataDir}/data/postmaster.pid`)).split("\n")[0],
    );
    assert.ok(!processGone(pgPid));

    child.kill("SIGINT");
    while (!(await reader.read()).done) { /* drain stdout until the process closes it */ }
    const status = await child.status;
    assert.equal(status.code, 0);
    assert.ok(processGone(pgPid), "postgres still running");
    await assert.rejects(Deno.stat(state.dataDir), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(`${stateDir}/stack.json`), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(`${stateDir}/functions.env`), Deno.errors.NotFound);
    for (const url of [state.functionsUrl, odooUrl]) {
      await assert.rejects(fetch(url), TypeError, `${url} still answers`);
    }
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
    await reader.cancel().catch(() => {});
    await child.status;
    await Deno.remove(stateDir, { recursive: true });
  }
});
