/**
 * The Auth stand-in answers what supabase-js 2.119.1 calls the way GoTrue does
 * (sessions, rotation, errors), and its access tokens pass the guard with the
 * rights in `app_metadata.claims`.
 */
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { createLocalAuth, type LocalAuthOptions } from "./auth.ts";
import { generateProjectKeys } from "./keys.ts";
import { isAuthContext, loadAuthConfig, verifyRequest } from "../functions/_shared/auth-guard.ts";
import { createLogger } from "../functions/_shared/log.ts";

const keys = generateProjectKeys();
const ORG = "0f4b5c8e-1a2b-4c3d-8e9f-00000000000a";
const lines: string[] = [];
const logger = createLogger((l) => lines.push(l));

async function withAuth(
  options: Partial<LocalAuthOptions>,
  fn: (url: string, ids: { admin: string; member: string }) => Promise<void>,
) {
  let url = "";
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    return auth.handle(req);
  });
  url = `http://127.0.0.1:${server.addr.port}`;
  const auth = createLocalAuth({
    projectUrl: url,
    jwtSecret: keys.jwtSecret,
    apiKeys: [keys.anonKey],
    logger,
    ...options,
  });
  const claims = { organization_id: ORG };
  const admin = await auth.addUser({
    email: "admin@demo.local",
    password: "admin-pw",
    claims: { ...claims, integration_admin: true },
  });
  const member = await auth.addUser({
    email: "member@demo.local",
    password: "member-pw",
    claims: { ...claims, integration_admin: false },
  });
  try {
    await fn(url, { admin, member });
  } finally {
    await server.shutdown();
  }
}

const client = (url: string) =>
  createClient(url, keys.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });

Deno.test("auth stand-in: password sign-in answers GoTrue's session and the guard accepts it", async () => {
  await withAuth({}, async (url, ids) => {
    const { data, error } = await client(url).auth.signInWithPassword({
      email: "Admin@demo.local",
      password: "admin-pw",
    });
    assert.equal(error, null);
    const s = data.session!;
    assert.equal(s.token_type, "bearer");
    assert.equal(s.expires_in, 3600);
    assert.ok(Math.abs(s.expires_at! - (Date.now() / 1000 + 3600)) < 5);
    assert.equal(s.user.id, ids.admin);
    assert.equal(s.user.app_metadata.claims.integration_admin, true);
    const config = loadAuthConfig({
      get: (n) => ({ SUPABASE_URL: url, JWT_SECRET: keys.jwtSecret })[n],
    });
    const req = new Request(`${url}/x`, { headers: { Authorization: `Bearer ${s.access_token}` } });
    const ctx = await verifyRequest(req, { config, logger });
    assert.ok(isAuthContext(ctx));
    assert.deepEqual([ctx.userId, ctx.orgId, ctx.isIntegrationAdmin], [ids.admin, ORG, true]);
  });
});

Deno.test("auth stand-in: refused sign-ins carry GoTrue's codes", async () => {
  await withAuth({}, async (url) => {
    const cases: [string, string, string, number, string][] = [
      ["wrong password", "admin@demo.local", "nope", 400, "invalid_credentials"],
      ["unknown user", "nobody@demo.local", "admin-pw", 400, "invalid_credentials"],
      ["no email", "", "admin-pw", 400, "validation_failed"],
    ];
    for (const [name, email, password, status, code] of cases) {
      const { error } = await client(url).auth.signInWithPassword({ email, password });
      assert.equal(error?.status, status, name);
      assert.equal(error?.code, code, name);
    }
    const raw = await fetch(`${url}/auth/v1/token?grant_type=password`, {
      method: "POST",
      body: JSON.stringify({ email: "admin@demo.local", password: "admin-pw" }),
    });
    assert.deepEqual([raw.status, await raw.json()], [401, {
      message: "No API key found in request",
    }]);
    const legacy = await fetch(`${url}/auth/v1/token?grant_type=password`, {
      method: "POST",
      headers: { apikey: keys.anonKey },
      body: JSON.stringify({ email: "admin@demo.local", password: "x" }),
    });
    assert.deepEqual(await legacy.json(), {
      code: 400,
      error_code: "invalid_credentials",
      msg: "Invalid login credentials",
    });
    const jwks = await fetch(`${url}/auth/v1/.well-known/jwks.json`);
    assert.deepEqual(await jwks.json(), { keys: [] });
  });
});

Deno.test("auth stand-in: refresh rotates; an old token is refused after the reuse interval", async () => {
  let clock = Date.now();
  await withAuth({ now: () => new Date(clock) }, async (url) => {
    const sb = client(url);
    const { data } = await sb.auth.signInWithPassword({
      email: "member@demo.local",
      password: "member-pw",
    });
    const first = data.session!.refresh_token;
    const r1 = await sb.auth.refreshSession({ refresh_token: first });
    assert.equal(r1.error, null);
    const second = r1.data.session!.refresh_token;
    assert.notEqual(second, first);
    const again = await sb.auth.refreshSession({ refresh_token: first });
    assert.equal(again.data.session?.refresh_token, second, "within 10 s: the current token");
    clock += 11_000;
    const stolen = await sb.auth.refreshSession({ refresh_token: first });
    assert.equal(stolen.error?.code, "refresh_token_already_used");
    const after = await sb.auth.refreshSession({ refresh_token: second });
    assert.equal(after.error?.code, "refresh_token_not_found", "the session was revoked");
  });
});

Deno.test("auth stand-in: getUser, then global sign-out ends every session of the user", async () => {
  await withAuth({}, async (url, ids) => {
    const a = client(url), b = client(url);
    const creds = { email: "member@demo.local", password: "member-pw" };
    const sa = (await a.auth.signInWithPassword(creds)).data.session!;
    await b.auth.signInWithPassword(creds);
    assert.equal((await a.auth.getUser(sa.access_token)).data.user?.id, ids.member);
    assert.equal((await b.auth.signOut({ scope: "global" })).error, null);
    // auth-js turns GoTrue's 403 session_not_found into AuthSessionMissingError.
    const { error } = await a.auth.getUser(sa.access_token);
    assert.equal(error?.name, "AuthSessionMissingError");
    const raw = await fetch(`${url}/auth/v1/user`, {
      headers: {
        apikey: keys.anonKey,
        Authorization: `Bearer ${sa.access_token}`,
        "X-Supabase-Api-Version": "2024-01-01",
      },
    });
    assert.equal(raw.status, 403);
    assert.equal((await raw.json()).code, "session_not_found");
    const refreshed = await a.auth.refreshSession({ refresh_token: sa.refresh_token });
    assert.equal(refreshed.error?.code, "refresh_token_not_found");
  });
});

Deno.test("auth stand-in: an expired access token is refused by GET /user", async () => {
  let clock = Date.now();
  await withAuth({ now: () => new Date(clock), accessTokenTtlSeconds: 2 }, async (url) => {
    const sb = client(url);
    const s = (await sb.auth.signInWithPassword({
      email: "admin@demo.local",
      password: "admin-pw",
    })).data.session!;
    assert.equal(s.expires_in, 2);
    clock += 3_000;
    const { error } = await sb.auth.getUser(s.access_token);
    assert.equal(error?.code, "bad_jwt");
    assert.ok(!lines.join("\n").includes(s.access_token), "tokens never reach the log");
  });
});
