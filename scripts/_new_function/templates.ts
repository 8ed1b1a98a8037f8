/**
 * What `./dev new-function <name>` writes: the function, its test and its
 * `config.toml` entry. Imported only by `scripts/new_function.ts`.
 *
 * @module
 */

/** `supabase/functions/<name>/index.ts`: guarded with withAuth, reads its input, scoped to auth.orgId. */
export function functionSource(name: string): string {
  return `/**
 * ${name}: greets the caller's organization. Replace the body of the handler
 * with the function's work.
 *
 * Callers: integration admins of an organization, for their own organization
 * only (\`org_id\` in the body or query must be theirs), and service callers
 * (service key or cron secret) naming \`org_id\`. The guard runs first: nothing
 * reads the database or calls anything outside before it has passed.
 *
 * Settings (from \`Deno.env\`, as the platform injects them): SUPABASE_URL,
 * JWT_SECRET or SUPABASE_JWKS, SUPABASE_SERVICE_ROLE_KEY, SUPABASE_SECRET_KEYS,
 * CRON_SECRET; see docs/auth-guard.md.
 *
 * @module
 */
import { type EnvReader, loadAuthConfig, withAuth } from "../_shared/auth-guard.ts";
import { errorJson } from "../_shared/http.ts";

const FUNCTION_NAME = "${name}";

/** What the function reads from the request body. */
interface Input {
  name?: unknown;
}

/**
 * Builds the handler; settings are read once, here.
 *
 * @param deps \`env\`: where settings come from (default \`Deno.env\`; tests pass their own).
 * @returns a \`Deno.serve\` handler.
 * @example
 * const handler = createHandler({ env });
 * const res = await handler(new Request(url, { method: "POST", headers, body: '{"name":"Ada"}' }));
 */
export function createHandler(
  deps: { env?: EnvReader } = {},
): (req: Request) => Promise<Response> {
  const config = loadAuthConfig(deps.env ?? Deno.env);
  return withAuth(async (req, auth) => {
    // Users of another organization were refused by the guard; a service
    // caller must name the organization it acts for.
    // Error answers are the catalogue's codes (docs/errors.md): errorJson gives the status.
    if (auth.orgId === null) return errorJson("invalid_request");
    // The guard read the body already (ctx.body); the request stays readable.
    const input: Input = auth.body.kind === "empty" ? {} : await req.json();
    const name = typeof input.name === "string" && input.name !== "" ? input.name : "world";
    // Scope every query by auth.orgId, as a SQL parameter in the WHERE clause.
    return Response.json({ org_id: auth.orgId, message: \`Hello, \${name}!\` });
  }, {
    config,
    functionName: FUNCTION_NAME,
    // integration_admin is required by default; set requireIntegrationAdmin: false to let
    // every member of the organization in (still only for their own organization).
    methods: ["POST"],
    body: "json_object",
  });
}

if (import.meta.main) Deno.serve(createHandler());
`;
}

/** `supabase/functions/<name>/index_test.ts`: the handler called with \`new Request(...)\`. */
export function testSource(name: string): string {
  return `/**
 * ${name}: an admin gets a greeting scoped to their organization; a member,
 * another organization's admin and a caller without credentials are refused.
 */
import assert from "node:assert/strict";
import { createHandler } from "./index.ts";
import { mintAdminToken, mintUserToken, testAuthEnv } from "../../../tests/support/tokens.ts";

const ORG = "6f1c2a3b-0000-4000-8000-000000000001";
const OTHER_ORG = "6f1c2a3b-0000-4000-8000-000000000002";
const handler = createHandler({ env: testAuthEnv() });

function call(bearer: string | null, body: unknown): Promise<Response> {
  const headers = new Headers({ "Content-Type": "application/json" });
  if (bearer !== null) headers.set("Authorization", \`Bearer \${bearer}\`);
  const url = "http://localhost/${name}";
  return handler(new Request(url, { method: "POST", headers, body: JSON.stringify(body) }));
}

const member = () =>
  mintUserToken({ app_metadata: { claims: { organization_id: ORG, integration_admin: false } } });

const CASES: {
  name: string;
  bearer: () => Promise<string | null>;
  body: unknown;
  status: number;
  json: unknown;
}[] = [
  {
    name: "an admin of the organization",
    bearer: () => mintAdminToken(ORG),
    body: { name: "Ada" },
    status: 200,
    json: { org_id: ORG, message: "Hello, Ada!" },
  },
  {
    name: "a member (not an integration admin)",
    bearer: member,
    body: { name: "Ada" },
    status: 403,
    json: { error: "insufficient_permissions" },
  },
  {
    name: "another organization's admin naming this organization",
    bearer: () => mintAdminToken(OTHER_ORG),
    body: { org_id: ORG, name: "Ada" },
    status: 403,
    json: { error: "org_scope_violation" },
  },
  {
    name: "no credentials",
    bearer: () => Promise.resolve(null),
    body: {},
    status: 401,
    json: { error: "missing_authorization" },
  },
];

for (const c of CASES) {
  Deno.test(\`${name}: \${c.name} -> \${c.status}\`, async () => {
    const res = await call(await c.bearer(), c.body);
    assert.equal(res.status, c.status);
    assert.deepEqual(await res.json(), c.json);
  });
}
`;
}

/** The `supabase/config.toml` entry, with the reason. */
export function configEntry(name: string): string {
  return `
# ${name}: verify_jwt = false on purpose, as for every function here. The
# function's own guard (withAuth in index.ts) authenticates every caller; the
# platform's JWT check would refuse callers we must accept (sb_secret_ keys
# are not JWTs; asymmetric user tokens fail its legacy-secret check).
[functions.${name}]
verify_jwt = false
`;
}
