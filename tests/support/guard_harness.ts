/**
 * Helpers for the auth-guard tests: requests with credentials, a log capture,
 * the signing keys and configurations the guard tables share, and one call
 * that returns everything a test wants to assert on.
 */
import { createLogger } from "../../supabase/functions/_shared/log.ts";
import {
  type AuthConfig,
  type AuthContext,
  isAuthContext,
  loadAuthConfig,
  type VerifyOptions,
  verifyRequest,
} from "../../supabase/functions/_shared/auth-guard.ts";
import {
  createEs256Key,
  createRs256Key,
  mintAdminToken,
  testAuthEnv,
  type UserTokenOverrides,
} from "./tokens.ts";

export const ORG_A = "0f4b5c8e-1a2b-4c3d-8e9f-00000000000a";
export const ORG_B = "0f4b5c8e-1a2b-4c3d-8e9f-00000000000b";

// `tests/run_tests.ts` scans this file for leaked secrets; captured lines go there too.
const LOG_FILE: string | null = (() => {
  try {
    return Deno.env.get("EDGE_GUARD_LOG_FILE") || null;
  } catch {
    return null;
  }
})();

/** Appends a captured line to EDGE_GUARD_LOG_FILE when it is set (no-op otherwise). */
export function recordLogLine(line: string): void {
  if (LOG_FILE === null) return;
  try {
    Deno.writeTextFileSync(LOG_FILE, `${line}\n`, { append: true });
  } catch { /* best effort */ }
}

/** A logger that keeps every line, parsed (and records it for the suite-wide leak scan). */
export function captureLogs() {
  const lines: string[] = [];
  const logger = createLogger((line) => {
    lines.push(line);
    recordLogLine(line);
  });
  const events = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines, logger, events };
}

/**
 * The guard tables' keys: ES256 `es-key-1` and RS256 `rs-key-1`, both in an
 * inline SUPABASE_JWKS; `config` is the test environment with that JWKS,
 * `configWith(overrides)` the same with more variables changed (`undefined`
 * unsets one), `asymmetricOnly` it without JWT_SECRET. `admin` mints an HS256
 * integration admin of an org (default {@linkcode ORG_A}), `esAdmin` an ES256
 * one of ORG_A signed with `es-key-1`.
 *
 * @example
 * const { config, admin } = await guardKeys();
 * const outcome = await runGuard(makeRequest({ bearer: await admin() }), { config });
 */
export async function guardKeys() {
  const es = await createEs256Key("es-key-1");
  const rs = await createRs256Key("rs-key-1");
  const jwks = JSON.stringify({ keys: [es.publicJwk, rs.publicJwk] });
  const configWith = (overrides: Record<string, string | undefined> = {}): AuthConfig =>
    loadAuthConfig(testAuthEnv({ SUPABASE_JWKS: jwks, ...overrides }));
  const admin = (orgId = ORG_A, o: UserTokenOverrides = {}) => mintAdminToken(orgId, o);
  const esAdmin = (o: UserTokenOverrides = {}) =>
    admin(ORG_A, { alg: "ES256", privateKey: es.privateKey, kid: es.kid, ...o });
  const config = configWith();
  const asymmetricOnly = configWith({ JWT_SECRET: undefined });
  return { es, rs, config, configWith, asymmetricOnly, admin, esAdmin };
}

export interface RequestSpec {
  method?: string;
  query?: Record<string, string | string[]>;
  bearer?: string;
  authorization?: string;
  apikey?: string;
  cronSecret?: string;
  json?: unknown;
  body?: string;
  contentType?: string;
}

/** Builds a request to a function URL with the given credentials, query and body. */
export function makeRequest(spec: RequestSpec = {}): Request {
  const url = new URL("http://localhost:54321/functions/v1/test-fn");
  for (const [name, value] of Object.entries(spec.query ?? {})) {
    for (const v of [value].flat()) url.searchParams.append(name, v);
  }
  const headers = new Headers();
  const authorization = spec.authorization ?? (spec.bearer && `Bearer ${spec.bearer}`);
  if (authorization) headers.set("Authorization", authorization);
  if (spec.apikey !== undefined) headers.set("apikey", spec.apikey);
  if (spec.cronSecret !== undefined) headers.set("x-cron-secret", spec.cronSecret);
  let body = spec.body;
  if (spec.json !== undefined) body = JSON.stringify(spec.json);
  if (body !== undefined) headers.set("Content-Type", spec.contentType ?? "application/json");
  const method = spec.method ?? "POST";
  return new Request(url, { method, headers, body });
}

/** The outcome of one verifyRequest call. */
export interface Outcome {
  ctx: AuthContext | null;
  response: Response | null;
  status: number;
  error: string | null;
  events: Record<string, unknown>[];
}

/** Runs verifyRequest with a capturing logger (unless options.logger is given). */
export async function runGuard(req: Request, options: VerifyOptions): Promise<Outcome> {
  const capture = captureLogs();
  const result = await verifyRequest(req, { logger: capture.logger, ...options });
  if (isAuthContext(result)) {
    return { ctx: result, response: null, status: 200, error: null, events: capture.events() };
  }
  const text = await result.clone().text();
  const error = (JSON.parse(text) as { error: string }).error;
  return { ctx: null, response: result, status: result.status, error, events: capture.events() };
}

/** The credential header values of a request (to prove none is ever logged). */
export function credentialsOf(req: Request): string[] {
  const values = ["authorization", "apikey", "x-cron-secret"].map((h) => req.headers.get(h));
  return values.flatMap((v) => (v === null ? [] : [v.replace(/^bearer\s+/i, ""), v]));
}

/** Every 16-character window of `secret`. */
export function windows(secret: string, size = 16): string[] {
  const out: string[] = [];
  for (let i = 0; i + size <= secret.length; i++) out.push(secret.slice(i, i + size));
  return out;
}

/**
 * The kinds of the secrets that appear in `text`, whole or as any 16-character
 * piece (a secret shorter than 16 characters must appear whole). Never returns values.
 *
 * @example
 * leakedKinds(logText, testSecretsFor(seed)); // [] when nothing leaked
 */
export function leakedKinds(
  text: string,
  secrets: readonly { kind: string; value: string }[],
  size = 16,
): string[] {
  const kindsOf = new Map<string, Set<string>>();
  const found = new Set<string>();
  for (const { kind, value } of secrets) {
    if (value.length < size) {
      if (value !== "" && text.includes(value)) found.add(kind);
      continue;
    }
    for (const piece of windows(value, size)) {
      const kinds = kindsOf.get(piece) ?? new Set<string>();
      kindsOf.set(piece, kinds.add(kind));
    }
  }
  for (let i = 0; i + size <= text.length; i++) {
    const kinds = kindsOf.get(text.slice(i, i + size));
    if (kinds !== undefined) { for (const kind of kinds) found.add(kind); }
  }
  return [...found];
}
