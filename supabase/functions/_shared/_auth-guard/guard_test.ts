/**
 * The guard's decision table for users: the seed's six cases (missing and
 * malformed credentials, no admin claim, cross-org, service key, a valid admin
 * reaching the handler) and the options that change the decision.
 */
import type { AuthContext } from "../auth-guard.ts";
import {
  mintAdminToken,
  mintUserToken,
  TEST_ANON_KEY,
  TEST_SECRET_KEY,
} from "../../../../tests/support/tokens.ts";
import assert from "node:assert/strict";
import {
  guardKeys,
  makeRequest,
  ORG_A,
  ORG_B,
  runGuard,
} from "../../../../tests/support/guard_harness.ts";
import {
  bearer,
  bearerOf,
  defineGuardTable,
  type GuardCase,
  invalid,
} from "../../../../tests/support/guard_table.ts";

const { rs, config, asymmetricOnly, admin, esAdmin } = await guardKeys();

const USER_CTX: Partial<AuthContext> = {
  via: "user_jwt",
  isServiceRole: false,
  isIntegrationAdmin: true,
  orgId: ORG_A,
};
const SERVICE_CTX: Partial<AuthContext> = { via: "service_key", isServiceRole: true };

const CASES: GuardCase[] = [
  // Seed (1): no credentials.
  {
    name: "missing Authorization",
    req: () => makeRequest(),
    status: 401,
    error: "missing_authorization",
    reason: "no_credentials",
  },
  {
    name: "non-Bearer scheme",
    req: () => makeRequest({ authorization: "Basic dXNlcjpwYXNz" }),
    status: 401,
    error: "missing_authorization",
    reason: "no_credentials",
  },
  {
    name: "empty Bearer",
    req: () => makeRequest({ authorization: "Bearer    " }),
    status: 401,
    error: "missing_authorization",
    reason: "no_credentials",
  },
  {
    name: "anon apikey alone is not a credential",
    req: () => makeRequest({ apikey: TEST_ANON_KEY }),
    status: 401,
    error: "missing_authorization",
    reason: "no_credentials",
  },
  // Seed (2): malformed tokens.
  invalid("malformed JWT (three junk segments)", () => bearer("not.a.jwt!"), "malformed"),
  invalid("malformed JWT (one segment)", () => bearer("abcdef"), "malformed"),
  invalid("header segment is not JSON", () => bearer("bm90LWpzb24.e30.c2ln"), "malformed"),
  invalid(
    "Bearer with two tokens",
    () => makeRequest({ authorization: "Bearer a.b.c d.e.f" }),
    "malformed",
  ),
  // Seed (3): authenticated but not an integration admin.
  {
    name: "valid JWT without integration_admin",
    req: () => bearerOf(mintUserToken({ sub: "user-3" })),
    status: 403,
    error: "insufficient_permissions",
    reason: "not_integration_admin",
    identity: "user-3",
  },
  {
    name: "an anonymous sign-in (is_anonymous), even with admin claims",
    req: () => bearerOf(mintAdminToken(ORG_A, { sub: "anon-1", extra: { is_anonymous: true } })),
    status: 403,
    error: "insufficient_permissions",
    reason: "anonymous_user",
    identity: "anon-1",
  },
  {
    name: "an anonymous sign-in where the function lets any member in",
    req: () => bearerOf(mintUserToken({ extra: { is_anonymous: true } })),
    options: { requireIntegrationAdmin: false },
    status: 403,
    error: "insufficient_permissions",
    reason: "anonymous_user",
  },
  {
    name: "claims only in user_metadata",
    req: () =>
      bearerOf(mintUserToken({
        user_metadata: { claims: { integration_admin: true, organization_id: ORG_A } },
        extra: { integration_admin: true, organization_id: ORG_A },
      })),
    status: 403,
    error: "insufficient_permissions",
    reason: "not_integration_admin",
  },
  {
    name: 'integration_admin "true" (string)',
    req: () =>
      bearerOf(mintUserToken({
        app_metadata: { claims: { integration_admin: "true", organization_id: ORG_A } },
      })),
    status: 403,
    error: "insufficient_permissions",
    reason: "not_integration_admin",
  },
  {
    name: "integration_admin at app_metadata top level, not in claims",
    req: () =>
      bearerOf(
        mintUserToken({ app_metadata: { integration_admin: true, organization_id: ORG_A } }),
      ),
    status: 403,
    error: "insufficient_permissions",
    reason: "not_integration_admin",
  },
  {
    name: "admin without organization_id",
    req: () => bearerOf(mintUserToken({ app_metadata: { claims: { integration_admin: true } } })),
    status: 403,
    error: "insufficient_permissions",
    reason: "admin_without_organization",
  },
  // Seed (4): admin of org A naming org B.
  {
    name: "admin of A names B in the query",
    req: () => bearerOf(admin(ORG_A, { sub: "admin-a" }), { query: { org_id: ORG_B } }),
    status: 403,
    error: "org_scope_violation",
    reason: "org_mismatch",
    identity: "admin-a",
  },
  {
    name: "admin of A names B in the JSON body",
    req: () => bearerOf(admin(), { json: { org_id: ORG_B, mode: "incremental" } }),
    status: 403,
    error: "org_scope_violation",
    reason: "org_mismatch",
  },
  {
    name: "admin of A names A in the query and B in the body",
    req: () => bearerOf(admin(), { query: { org_id: ORG_A }, json: { org_id: ORG_B } }),
    status: 403,
    error: "org_scope_violation",
    reason: "org_mismatch",
  },
  {
    name: "admin of A names A and B in the query",
    req: () => bearerOf(admin(), { query: { org_id: [ORG_A, ORG_B] } }),
    status: 403,
    error: "org_scope_violation",
    reason: "org_mismatch",
  },
  {
    name: "admin of A names B in a text/plain body (handlers may req.json() it)",
    req: () => bearerOf(admin(), { json: { org_id: ORG_B }, contentType: "text/plain" }),
    status: 403,
    error: "org_scope_violation",
    reason: "org_mismatch",
  },
  {
    name: "non-string org_id in the body",
    req: () => bearerOf(admin(), { json: { org_id: 42 } }),
    status: 403,
    error: "org_scope_violation",
    reason: "invalid_org_id",
  },
  {
    name: "JSON body too large to scope",
    req: () => bearerOf(admin(), { json: { org_id: ORG_A, pad: "x".repeat(1024 * 1024) } }),
    status: 403,
    error: "org_scope_violation",
    reason: "body_too_large",
  },
  // Seed (5), service callers: service_test.ts.
  // Seed (6): a valid admin with the right org.
  {
    name: "HS256 admin naming their own org (query and body)",
    req: () =>
      bearerOf(admin(ORG_A, { sub: "admin-a" }), {
        query: { org_id: ORG_A },
        json: { org_id: ORG_A },
      }),
    status: 200,
    ctx: { ...USER_CTX, userId: "admin-a" },
  },
  {
    name: "ES256 admin (kid in the inline JWKS)",
    req: () => bearerOf(esAdmin()),
    status: 200,
    ctx: USER_CTX,
  },
  {
    name: "RS256 admin (kid in the inline JWKS)",
    req: () => bearerOf(admin(ORG_A, { alg: "RS256", privateKey: rs.privateKey, kid: rs.kid })),
    status: 200,
    ctx: USER_CTX,
  },
  {
    name: "ES256 admin with JWT_SECRET unset",
    req: () => bearerOf(esAdmin()),
    options: { config: asymmetricOnly },
    status: 200,
    ctx: USER_CTX,
  },
  {
    name: "malformed JSON body names no org",
    req: () => bearerOf(admin(), { body: '{"org_id": "' + ORG_B }),
    status: 200,
    ctx: USER_CTX,
  },
  {
    name: "non-admin accepted when requireIntegrationAdmin is false",
    req: () => bearerOf(mintUserToken({ sub: "plain-user" })),
    options: { config, requireIntegrationAdmin: false },
    status: 200,
    ctx: { via: "user_jwt", userId: "plain-user", orgId: null, isIntegrationAdmin: false },
  },
  {
    name: "non-admin without an org naming one, requireIntegrationAdmin false",
    req: () => bearerOf(mintUserToken(), { query: { org_id: ORG_A } }),
    options: { config, requireIntegrationAdmin: false },
    status: 403,
    error: "org_scope_violation",
    reason: "org_mismatch",
  },
  {
    name: "allowUserTokens false refuses even an admin",
    req: () => bearerOf(admin()),
    options: { config, allowUserTokens: false },
    status: 403,
    error: "insufficient_permissions",
    reason: "user_tokens_not_allowed",
  },
  {
    name: "allowUserTokens false still accepts a service key",
    req: () => bearer(TEST_SECRET_KEY),
    options: { config, allowUserTokens: false },
    status: 200,
    ctx: SERVICE_CTX,
  },
];

defineGuardTable("guard", CASES, { config });

Deno.test("guard: verified claims are frozen and taken from the token", async () => {
  const got = await runGuard(bearer(await admin(ORG_A, { sub: "frozen-sub" })), { config });
  assert.ok(got.ctx?.claims);
  assert.equal(got.ctx.claims.sub, "frozen-sub");
  assert.ok(Object.isFrozen(got.ctx.claims));
  assert.ok(Object.isFrozen(got.ctx.claims.app_metadata));
});
