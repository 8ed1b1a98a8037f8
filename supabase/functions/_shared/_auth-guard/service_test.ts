/**
 * Service callers: service keys (legacy service_role JWT and sb_secret_, as
 * Bearer or apikey) and the cron secret, including the seed's misconfigured
 * CRON_SECRET and stale-secret scenarios (the log says so in plain words).
 */
import type { AuthContext } from "../auth-guard.ts";
import {
  TEST_ANON_KEY,
  TEST_CRON_SECRET,
  TEST_JWT_SECRET,
  TEST_REF,
  TEST_SECRET_KEY,
  TEST_SERVICE_ROLE_KEY,
} from "../../../../tests/support/tokens.ts";
import { signHs256Jwt } from "../../../local/keys.ts";
import { guardKeys, makeRequest, ORG_A, ORG_B } from "../../../../tests/support/guard_harness.ts";
import {
  bearer,
  bearerOf,
  defineGuardTable,
  type GuardCase,
} from "../../../../tests/support/guard_table.ts";

const { config, configWith, admin } = await guardKeys();
const noCron = configWith({ CRON_SECRET: undefined });
const noServiceRoleKey = configWith({ SUPABASE_SERVICE_ROLE_KEY: undefined });
const noJwtSecret = configWith({ JWT_SECRET: undefined });

/** A legacy service_role key as the platform mints it, with claims changed (null drops one). */
function legacyServiceJwt(
  claims: Record<string, string | number | null>,
  secret = TEST_JWT_SECRET,
): string {
  const payload: Record<string, unknown> = {
    iss: "supabase",
    ref: TEST_REF,
    role: "service_role",
    iat: 1_700_000_000,
    exp: 4_102_444_800,
    ...claims,
  };
  for (const [name, value] of Object.entries(payload)) if (value === null) delete payload[name];
  return signHs256Jwt(payload, secret);
}

const USER_CTX: Partial<AuthContext> = { via: "user_jwt", isServiceRole: false, orgId: ORG_A };
const SERVICE_CTX: Partial<AuthContext> = {
  via: "service_key",
  isServiceRole: true,
  isIntegrationAdmin: false,
  userId: null,
  claims: null,
};

const CASES: GuardCase[] = [
  // Seed (5): service callers.
  {
    name: "legacy service_role key as Bearer",
    req: () => bearer(TEST_SERVICE_ROLE_KEY),
    status: 200,
    ctx: { ...SERVICE_CTX, orgId: null },
  },
  {
    name: "legacy service_role key as apikey (Bearer is the anon key, as supabase-js sends)",
    req: () => makeRequest({ bearer: TEST_ANON_KEY, apikey: TEST_SERVICE_ROLE_KEY }),
    status: 200,
    ctx: SERVICE_CTX,
  },
  {
    name: "sb_secret_ key as Bearer, naming an org",
    req: () => makeRequest({ bearer: TEST_SECRET_KEY, query: { org_id: ORG_B } }),
    status: 200,
    ctx: { ...SERVICE_CTX, orgId: ORG_B },
  },
  {
    name: "sb_secret_ key as apikey only, org in the body",
    req: () => makeRequest({ apikey: TEST_SECRET_KEY, json: { org_id: ORG_A } }),
    status: 200,
    ctx: { ...SERVICE_CTX, orgId: ORG_A },
  },
  {
    name: "lower-case bearer scheme",
    req: () => makeRequest({ authorization: `bearer ${TEST_SECRET_KEY}` }),
    status: 200,
    ctx: SERVICE_CTX,
  },
  {
    name: "service caller with a body too large to scope: org from the query",
    req: () =>
      makeRequest({
        bearer: TEST_SECRET_KEY,
        query: { org_id: ORG_A },
        json: { org_id: ORG_B, pad: "x".repeat(1024 * 1024) },
      }),
    status: 200,
    ctx: { ...SERVICE_CTX, orgId: ORG_A },
  },
  {
    name: "service caller with a non-string org_id",
    req: () => makeRequest({ bearer: TEST_SECRET_KEY, json: { org_id: ["a", "b"] } }),
    status: 403,
    error: "org_scope_violation",
    reason: "invalid_org_id",
    identity: "service_role",
  },
  {
    name: "service caller naming two orgs",
    req: () =>
      makeRequest({ bearer: TEST_SECRET_KEY, query: { org_id: ORG_A }, json: { org_id: ORG_B } }),
    status: 403,
    error: "org_scope_violation",
    reason: "conflicting_org_ids",
    identity: "service_role",
  },
  // Issue 11: with JWT_SECRET, the legacy service_role key is verified as a JWT.
  {
    name: "legacy service_role JWT whose text differs from the configured key (other iat)",
    req: () => bearer(legacyServiceJwt({ iat: 1_600_000_000 })),
    status: 200,
    ctx: { ...SERVICE_CTX, orgId: null },
  },
  {
    name: "legacy service_role JWT with SUPABASE_SERVICE_ROLE_KEY unset (ref from the anon key)",
    req: () => bearer(TEST_SERVICE_ROLE_KEY),
    options: { config: noServiceRoleKey },
    status: 200,
    ctx: { ...SERVICE_CTX, orgId: null },
  },
  {
    name: "legacy service_role JWT as apikey, text differs",
    req: () => makeRequest({ bearer: TEST_ANON_KEY, apikey: legacyServiceJwt({ iat: 1 }) }),
    status: 200,
    ctx: SERVICE_CTX,
  },
  {
    name: "legacy service_role JWT of another project (ref)",
    req: () => bearer(legacyServiceJwt({ ref: "otherproject" })),
    status: 401,
    error: "invalid_token",
    reason: "service_jwt_wrong_ref",
  },
  {
    name: "legacy service_role JWT, expired",
    req: () => bearer(legacyServiceJwt({ iat: 1_500_000_000, exp: 1_600_000_000 })),
    status: 401,
    error: "invalid_token",
    reason: "service_jwt_expired",
  },
  {
    name: "legacy service_role JWT signed with another secret",
    req: () => bearer(legacyServiceJwt({}, "another-project-secret-0123456789abcdef")),
    status: 401,
    error: "invalid_token",
    reason: "service_jwt_bad_signature",
  },
  {
    name: "legacy service_role JWT without exp",
    req: () => bearer(legacyServiceJwt({ exp: null })),
    status: 401,
    error: "invalid_token",
    reason: "service_jwt_missing_exp",
  },
  {
    name: "without JWT_SECRET, a service_role JWT that is not the configured text is refused",
    req: () => bearer(legacyServiceJwt({ iat: 1_600_000_000 })),
    options: { config: noJwtSecret },
    status: 401,
    error: "invalid_token",
    reason: "alg_not_allowed",
  },
  // Cron secret.
  {
    name: "matching x-cron-secret",
    req: () => makeRequest({ cronSecret: TEST_CRON_SECRET, json: { org_id: ORG_A } }),
    status: 200,
    ctx: { via: "cron_secret", isServiceRole: true, userId: null, orgId: ORG_A },
  },
  {
    name: "mismatching x-cron-secret and nothing else",
    req: () => makeRequest({ cronSecret: "not-the-cron-secret" }),
    status: 401,
    error: "missing_authorization",
    reason: "no_credentials",
    events: ["cron_secret_mismatch"],
  },
  {
    name: "mismatching x-cron-secret with a service key (seed: bot-scheduler)",
    req: () => makeRequest({ cronSecret: "stale-secret", bearer: TEST_SERVICE_ROLE_KEY }),
    status: 200,
    ctx: SERVICE_CTX,
    events: ["cron_secret_mismatch"],
  },
  {
    name: "x-cron-secret while CRON_SECRET is unset, with a service key",
    req: () => makeRequest({ cronSecret: TEST_CRON_SECRET, bearer: TEST_SERVICE_ROLE_KEY }),
    options: { config: noCron },
    status: 200,
    ctx: SERVICE_CTX,
    events: ["cron_secret_not_configured"],
  },
  {
    name: "x-cron-secret while CRON_SECRET is unset, with a user token",
    req: () => bearerOf(admin(), { cronSecret: TEST_CRON_SECRET }),
    options: { config: noCron },
    status: 200,
    ctx: USER_CTX,
    events: ["cron_secret_not_configured"],
  },
];

defineGuardTable("service", CASES, { config });
