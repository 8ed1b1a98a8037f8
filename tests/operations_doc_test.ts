/**
 * docs/operations.md's grant and revoke steps, run as written (its `sh`
 * blocks, through bash and curl) against the real Supabase Auth of a local
 * stack in the legacy HS256 signing mode (`authSigning: "HS256"`, the flag
 * `./dev run --auth-signing hs256`), and what the guard then says to the
 * user's real tokens.
 */
import assert from "node:assert/strict";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { startLocalStack } from "../supabase/local/stack.ts";
import { type AuthEndpoint, refreshSession, signInWithPassword } from "../supabase/local/auth.ts";
import { createLogger } from "../supabase/functions/_shared/log.ts";
import { recordLogLine } from "./support/guard_harness.ts";

const DOC = new URL("../docs/operations.md", import.meta.url);
const hasCurl = (await new Deno.Command("bash", { args: ["-c", "command -v curl"] }).output())
  .success;

/** The `sh` block of the doc whose first line is `# <title>...`. */
async function docStep(title: string): Promise<string> {
  const text = await Deno.readTextFile(DOC);
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const found = blocks.filter((b) => b.startsWith(`# ${title}`));
  assert.equal(found.length, 1, `one sh block starting "# ${title}" in docs/operations.md`);
  return found[0];
}

async function runStep(title: string, env: Record<string, string>): Promise<unknown> {
  const out = await new Deno.Command("bash", {
    args: ["-euo", "pipefail", "-c", await docStep(title)],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, `"${title}" failed: ${new TextDecoder().decode(out.stderr).slice(-300)}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test({
  name: "docs/operations.md: create, grant, revoke and remove claims as written, real Auth",
  ignore: !hasCurl,
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const stack = await startLocalStack({
    apiPort: 0,
    dbPort: 0,
    pauseCron: true,
    stateDir: null,
    logger: createLogger(recordLogLine),
    seed: { bot: false, slaPolicy: false },
    authSigning: "HS256",
  });
  try {
    assert.equal(stack.env.SUPABASE_JWKS, undefined, "a legacy project publishes no keys");
    const login = {
      email: `ops-${crypto.randomUUID()}@example.test`,
      password: crypto.randomUUID(),
    };
    const env = {
      SUPABASE_URL: stack.urls.api,
      SERVICE_ROLE_KEY: stack.keys.serviceRoleKey,
      ORG_ID: stack.demo.orgId,
      EMAIL: login.email,
      PASSWORD: login.password,
    };
    const anon: AuthEndpoint = { url: `${stack.urls.api}/auth/v1`, apiKey: stack.keys.anonKey };
    const syncNow = async (token: string) => {
      const res = await fetch(`${stack.urls.functions}/odoo-crm-sync`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: '{"mode":"incremental"}',
      });
      const body = await res.json();
      return [res.status, body.error ?? null];
    };
    const claimsOf = (token: string) =>
      (decodeJwt(token).app_metadata as Record<string, unknown>).claims;

    const created = await runStep("create a user", env) as { id: string };
    const userId = created.id;
    const first = await signInWithPassword(anon, login);
    assert.equal(decodeProtectedHeader(first.access_token).alg, "HS256");
    assert.deepEqual(await syncNow(first.access_token), [403, "insufficient_permissions"]);

    await runStep("grant", { ...env, USER_ID: userId });
    const granted = await signInWithPassword(anon, login);
    assert.deepEqual(claimsOf(granted.access_token), {
      integration_admin: true,
      organization_id: stack.demo.orgId,
    });
    assert.deepEqual(await syncNow(granted.access_token), [200, null]);

    const revoked = await runStep("revoke the admin right", { ...env, USER_ID: userId }) as {
      app_metadata: Record<string, unknown>;
    };
    assert.equal(revoked.app_metadata.provider, "email", "other app_metadata keys are kept");
    assert.deepEqual(await syncNow(granted.access_token), [200, null], "until the token expires");
    const refreshed = await refreshSession(anon, granted.refresh_token);
    assert.deepEqual(claimsOf(refreshed.access_token), {
      integration_admin: false,
      organization_id: stack.demo.orgId,
    });
    assert.deepEqual(await syncNow(refreshed.access_token), [403, "insufficient_permissions"]);

    await runStep("remove all claims", { ...env, USER_ID: userId });
    const bare = await refreshSession(anon, refreshed.refresh_token);
    assert.equal(claimsOf(bare.access_token), undefined);
    assert.deepEqual(await syncNow(bare.access_token), [403, "insufficient_permissions"]);
  } finally {
    await stack.stop();
  }
});
