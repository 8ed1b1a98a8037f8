/**
 * Table-driven guard tests: one `Deno.test` per case (status, exact body, RFC
 * 6750 challenge, one `auth_rejected` line with the expected reason, or the
 * accepted context), plus two checks over the whole table: every invalid_token
 * response is byte-identical, and no credential ever reaches the logs.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  type AuthContext,
  type ClientErrorCode,
  type VerifyOptions,
  verifyRequest,
} from "../../supabase/functions/_shared/auth-guard.ts";
import { TEST_SECRETS } from "./tokens.ts";
import {
  captureLogs,
  credentialsOf,
  makeRequest,
  type Outcome,
  runGuard,
  windows,
} from "./guard_harness.ts";

export interface GuardCase {
  name: string;
  req: () => Request | Promise<Request>;
  options?: VerifyOptions;
  status: number;
  error?: ClientErrorCode;
  /** `rejection_reason` of the auth_rejected line. */
  reason?: string;
  /** `caller_identity` of the auth_rejected line. */
  identity?: string;
  /** Fields the accepted context must have. */
  ctx?: Partial<AuthContext>;
  /** Other events that must be logged at level warn. */
  events?: string[];
}

export const CHALLENGE: Record<ClientErrorCode, string | null> = {
  missing_authorization: 'Bearer realm="edge-guard"',
  invalid_token: 'Bearer realm="edge-guard", error="invalid_token"',
  insufficient_permissions: 'Bearer realm="edge-guard", error="insufficient_scope"',
  org_scope_violation: 'Bearer realm="edge-guard", error="insufficient_scope"',
  server_misconfigured: null,
  auth_unavailable: null,
  internal_error: null,
  invalid_request: null,
  method_not_allowed: null,
  bot_not_found: null,
  bot_disabled: null,
  executor_failed: null,
};

/** The one invalid_token response, as status, sorted headers and body. */
export const INVALID_TOKEN_RESPONSE = [
  "401",
  "cache-control: no-store",
  "content-type: application/json",
  'www-authenticate: Bearer realm="edge-guard", error="invalid_token"',
  "",
  '{"error":"invalid_token"}',
].join("\n");

export async function serialize(res: Response): Promise<string> {
  const headers = [...res.headers].sort().map(([k, v]) => `${k}: ${v}`);
  return [String(res.status), ...headers, "", await res.text()].join("\n");
}

export const bearer = (token: string, extra = {}) => makeRequest({ bearer: token, ...extra });
export const bearerOf = async (token: Promise<string>, extra = {}) => bearer(await token, extra);

/** A 401 invalid_token case. */
export function invalid(
  name: string,
  req: GuardCase["req"],
  reason: string,
  extra: Partial<GuardCase> = {},
): GuardCase {
  return { name, req, status: 401, error: "invalid_token", reason, ...extra };
}

/** Rewrites the payload and keeps the original signature. */
export function tamperPayload(token: string, edit: (claims: Record<string, unknown>) => void) {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  edit(claims);
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
}

/** Flips one character in the middle of the signature (not the padding bits at the end). */
export function tamperSignature(token: string): string {
  const [header, payload, signature] = token.split(".");
  const flipped = signature[10] === "A" ? "B" : "A";
  return `${header}.${payload}.${signature.slice(0, 10)}${flipped}${signature.slice(11)}`;
}

function checkRejection(c: GuardCase, got: Outcome) {
  assert.equal(got.error, c.error);
  assert.equal(got.response?.headers.get("WWW-Authenticate") ?? null, CHALLENGE[c.error!]);
  const rejected = got.events.filter((e) => e.event === "auth_rejected");
  assert.equal(rejected.length, 1, "exactly one auth_rejected line");
  const [line] = rejected;
  assert.equal(line.level, "warn");
  assert.equal(line.rejection_reason, c.reason);
  assert.equal(line.status, c.status);
  assert.equal(typeof line.timestamp, "string");
  assert.ok("attempted_org_id" in line && "caller_identity" in line);
  if (c.identity) assert.equal(line.caller_identity, c.identity);
}

function checkAccepted(c: GuardCase, got: Outcome) {
  assert.ok(got.ctx, "accepted");
  assert.deepEqual({ ...got.ctx, ...c.ctx }, got.ctx, "context fields");
  assert.equal(got.events.filter((e) => e.event === "auth_rejected").length, 0);
}

async function assertNothingSecretLogged(cases: GuardCase[], base: VerifyOptions) {
  const { lines, logger } = captureLogs();
  const secrets = new Set<string>(TEST_SECRETS);
  for (const c of cases) {
    const req = await c.req();
    for (const credential of credentialsOf(req)) secrets.add(credential);
    const reply = await verifyRequest(req, { ...base, ...c.options, logger });
    if (reply instanceof Response) await reply.body?.cancel();
  }
  assert.ok(lines.length >= cases.filter((c) => c.error).length, "the cases produced logs");
  const pieces = new Set(windows(lines.join("\n")));
  for (const secret of secrets) {
    for (const piece of windows(secret)) assert.ok(!pieces.has(piece), "a credential was logged");
  }
}

/** Registers the table's tests under `title`. `base` options apply to every case. */
export function defineGuardTable(title: string, cases: GuardCase[], base: VerifyOptions): void {
  for (const c of cases) {
    Deno.test(`${title}: ${c.name} -> ${c.status} ${c.error ?? c.ctx?.via}`, async () => {
      const got = await runGuard(await c.req(), { ...base, ...c.options });
      assert.equal(got.status, c.status);
      if (c.error) checkRejection(c, got);
      else checkAccepted(c, got);
      for (const event of c.events ?? []) {
        assert.ok(got.events.some((e) => e.event === event && e.level === "warn"), event);
      }
    });
  }
  Deno.test(`${title}: every invalid_token response is byte-identical`, async () => {
    for (const c of cases.filter((c) => c.error === "invalid_token")) {
      const { response } = await runGuard(await c.req(), { ...base, ...c.options });
      assert.ok(response);
      assert.equal(await serialize(response), INVALID_TOKEN_RESPONSE, c.name);
    }
  });
  Deno.test(`${title}: no token, key or secret (or a 16-char piece) is logged`, async () => {
    await assertNothingSecretLogged(cases, base);
  });
}
