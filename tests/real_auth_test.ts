/**
 * The guard against real tokens from Supabase Auth itself (built from its
 * pinned source, supabase/local/auth.ts), through the local gateway, in both
 * signing modes: ES256 with the stack's generated key (hosted projects now)
 * and the legacy HS256 secret. One stack for the file; Auth is restarted on
 * the same port to change its mode, its token lifetime or its keys.
 */
import assert from "node:assert/strict";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { createEs256Key, mintAdminToken } from "./support/tokens.ts";
import { createClient } from "@supabase/supabase-js";
import { startLocalStack } from "../supabase/local/stack.ts";
import {
  type AuthEndpoint,
  createAuthUser,
  generateSigningKey,
  refreshSession,
  setUserClaims,
  signInWithPassword,
} from "../supabase/local/auth.ts";
import { createLogger } from "../supabase/functions/_shared/log.ts";
import { recordLogLine } from "./support/guard_harness.ts";

const quiet = createLogger(recordLogLine);
const stack = await startLocalStack({
  apiPort: 0,
  dbPort: 0,
  pauseCron: true,
  stateDir: null,
  logger: quiet,
  seed: { bot: false, slaPolicy: false },
});
const authUrl = `${stack.urls.api}/auth/v1`;
const anon: AuthEndpoint = { url: authUrl, apiKey: stack.keys.anonKey };
const admin: AuthEndpoint = { url: authUrl, apiKey: stack.keys.serviceRoleKey };
const ORG = stack.demo.orgId;
const [other] = await stack.sql<{ id: string }[]>`
  insert into public.organizations (name) values ('Other Org') returning id::text`;

/** A new user with these claims, created and granted through the admin API. */
async function newUser(claims: Record<string, unknown> | null) {
  const login = { email: `u-${crypto.randomUUID()}@example.test`, password: crypto.randomUUID() };
  const id = await createAuthUser(admin, login);
  if (claims !== null) await setUserClaims(admin, id, claims);
  return { id, login };
}

const otherAdmin = await newUser({ integration_admin: true, organization_id: other.id });

/** "Sync now" through the gateway with a bearer token; status and error code. */
async function syncNow(token: string, body: Record<string, unknown> = {}) {
  const res = await fetch(`${stack.urls.functions}/odoo-crm-sync`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ mode: "incremental", ...body }),
  });
  const json = await res.json();
  return { status: res.status, code: res.status === 200 ? null : json.error };
}

const signIn = async (login: { email: string; password: string }) =>
  (await signInWithPassword(anon, login)).access_token;

async function anonymousToken(): Promise<string> {
  const client = createClient(stack.urls.api, stack.keys.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const { data, error } = await client.auth.signInAnonymously();
  assert.equal(error, null);
  return data.session!.access_token;
}

interface Case {
  name: string;
  token: () => Promise<string>;
  body?: Record<string, unknown>;
  status: number;
  code: string | null;
}

const CASES: Case[] = [
  {
    name: "integration admin",
    token: () => signIn(stack.demo.users.admin),
    status: 200,
    code: null,
  },
  {
    name: "plain member",
    token: () => signIn(stack.demo.users.member),
    status: 403,
    code: "insufficient_permissions",
  },
  {
    name: "admin of another organization naming this one",
    token: () => signIn(otherAdmin.login),
    body: { org_id: ORG },
    status: 403,
    code: "org_scope_violation",
  },
  {
    name: "anonymous sign-in",
    token: anonymousToken,
    status: 403,
    code: "insufficient_permissions",
  },
  {
    name: "refreshed session of the admin",
    token: async () => {
      const first = await signInWithPassword(anon, stack.demo.users.admin);
      const next = await refreshSession(anon, first.refresh_token);
      assert.notEqual(next.refresh_token, first.refresh_token, "refresh tokens rotate");
      return next.access_token;
    },
    status: 200,
    code: null,
  },
];

async function runTable(t: Deno.TestContext, alg: "ES256" | "HS256") {
  for (const c of CASES) {
    await t.step(`${alg}: ${c.name} → ${c.status} ${c.code ?? ""}`, async () => {
      const token = await c.token();
      assert.equal(decodeProtectedHeader(token).alg, alg);
      assert.deepEqual(await syncNow(token, c.body), { status: c.status, code: c.code });
    });
  }
  await t.step(`${alg}: an expired token → 401 invalid_token`, async () => {
    await stack.auth.restart({ jwtExpSeconds: 1 });
    try {
      const token = await signIn(stack.demo.users.admin);
      await new Promise((r) => setTimeout(r, 2100));
      assert.deepEqual(await syncNow(token), { status: 401, code: "invalid_token" });
    } finally {
      await stack.auth.restart({ jwtExpSeconds: 3600 });
    }
  });
  await t.step(
    `${alg}: revoked through the admin API: old token passes, refreshed 403`,
    async () => {
      const user = await newUser({ integration_admin: true, organization_id: ORG });
      const session = await signInWithPassword(anon, user.login);
      assert.deepEqual(await syncNow(session.access_token), { status: 200, code: null });
      await setUserClaims(admin, user.id, { integration_admin: false, organization_id: ORG });
      // Claims are copied into the token when it is issued: the old one keeps them until it expires.
      assert.deepEqual(await syncNow(session.access_token), { status: 200, code: null });
      const refreshed = await refreshSession(anon, session.refresh_token);
      assert.deepEqual(await syncNow(refreshed.access_token), {
        status: 403,
        code: "insufficient_permissions",
      });
    },
  );
}

Deno.test({
  name: "real Supabase Auth tokens through the gateway: the guard's table, ES256 then HS256",
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  assert.equal(stack.auth.signing, "ES256");
  await runTable(t, "ES256");
  const esKeys = stack.auth.signingKeys();
  await stack.auth.restart({ signingKeys: [] }); // legacy HS256 signing with the JWT secret
  try {
    await runTable(t, "HS256");
  } finally {
    await stack.auth.restart({ signingKeys: esKeys });
  }
});

Deno.test("real Supabase Auth: the unit tests' minted tokens have the real tokens' shape", async () => {
  const real = await signIn(stack.demo.users.admin);
  const key = await createEs256Key();
  const minted = await mintAdminToken(ORG, {
    alg: "ES256",
    privateKey: key.privateKey,
    kid: key.kid,
  });
  const keysOf = (o: object) => Object.keys(o).sort();
  assert.deepEqual(keysOf(decodeProtectedHeader(minted)), keysOf(decodeProtectedHeader(real)));
  const [r, m] = [decodeJwt(real), decodeJwt(minted)];
  assert.deepEqual(keysOf(m), keysOf(r));
  assert.deepEqual(keysOf(m.app_metadata as object), keysOf(r.app_metadata as object));
  for (const claim of ["aud", "role", "aal", "is_anonymous", "phone"]) {
    assert.deepEqual(m[claim], r[claim], claim);
  }
  assert.equal(r.exp! - r.iat!, m.exp! - m.iat!);
  assert.deepEqual(
    (r.amr as { method: string }[]).map((a) => a.method),
    (m.amr as { method: string }[]).map((a) => a.method),
  );
});

Deno.test({
  name: "real Supabase Auth: its signing key rotated, the guard follows without a restart",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const first = stack.auth.jwks().keys[0].kid;
  const before = await signIn(stack.demo.users.admin);
  assert.equal(decodeProtectedHeader(before).kid, first);
  assert.deepEqual(await syncNow(before), { status: 200, code: null });
  const [current] = stack.auth.signingKeys();
  const next = await generateSigningKey();
  // As hosted rotation: a standby key is published, then becomes current while
  // the previous one still verifies, then the previous one is retired.
  await stack.auth.restart({ signingKeys: [current, next] });
  await stack.auth.restart({ signingKeys: [next, current] });
  const after = await signIn(stack.demo.users.admin);
  assert.equal(decodeProtectedHeader(after).kid, next.kid);
  assert.deepEqual(await syncNow(after), { status: 200, code: null });
  assert.deepEqual(await syncNow(before), { status: 200, code: null });
  await stack.auth.restart({ signingKeys: [next] });
  const published = await (await fetch(stack.urls.jwks)).json();
  assert.deepEqual(published.keys.map((k: { kid: string }) => k.kid), [next.kid]);
  assert.deepEqual(await syncNow(await signIn(stack.demo.users.admin)), {
    status: 200,
    code: null,
  });
});

Deno.test({
  name: "real Supabase Auth: stop the stack",
  sanitizeOps: false,
  sanitizeResources: false,
}, () => stack.stop());
