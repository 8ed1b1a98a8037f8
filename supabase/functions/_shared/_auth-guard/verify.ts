/**
 * The guard's decision order: configuration, input size, cron secret, service
 * key, missing credentials, anon/publishable key, user token, user rights, org.
 */
import { log } from "../log.ts";
import { describeProblems, resolveConfig } from "./config.ts";
import { type CallLog, fail, reject } from "./errors.ts";
import { asymmetricKeySet } from "./keys.ts";
import { type TokenRoute, verifyUserToken } from "./jwt.ts";
import { firstQueryOrgId, queryOrgIds, requestOrgIds } from "./org.ts";
import { checkServiceCaller, readCredentials } from "./service.ts";
import { authorizeUser } from "./user.ts";
import type { AuthConfig, AuthContext, VerifyOptions } from "./types.ts";

/** Builds the per-call log target from the options. */
export function callLogFor(options: VerifyOptions): CallLog {
  return { logger: options.logger ?? log, functionName: options.functionName };
}

async function serviceContext(
  req: Request,
  via: "cron_secret" | "service_key",
  call: CallLog,
): Promise<AuthContext | Response> {
  let named = await requestOrgIds(req);
  // Trusted callers may send bodies too large to scope; their org then comes from the query.
  if (!named.ok && named.reason === "body_too_large") {
    named = { ok: true, orgIds: queryOrgIds(req) };
  }
  if (!named.ok) return reject(call, "org_scope_violation", named.reason, "service_role", null);
  if (named.orgIds.length > 1) {
    return reject(
      call,
      "org_scope_violation",
      "conflicting_org_ids",
      "service_role",
      named.orgIds[0],
    );
  }
  const orgId = named.orgIds[0] ?? null;
  return { userId: null, orgId, isServiceRole: true, via, isIntegrationAdmin: false, claims: null };
}

function routeFor(config: AuthConfig, options: VerifyOptions): TokenRoute | null {
  if (config.issuer === null) return null;
  return {
    issuer: config.issuer,
    hmacKey: config.secrets.hmacKey(),
    keySet: asymmetricKeySet(config, options),
    now: options.now,
  };
}

async function userContext(
  req: Request,
  token: string,
  config: AuthConfig,
  options: VerifyOptions,
  call: CallLog,
): Promise<AuthContext | Response> {
  const route = routeFor(config, options);
  if (route === null) {
    return reject(call, "invalid_token", "user_tokens_not_configured", "anonymous", null);
  }
  const result = await verifyUserToken(token, route);
  if (result.ok) return authorizeUser(req, result.claims, options, call);
  if (result.unavailable) {
    const cause = result.cause instanceof Error ? result.cause : null;
    return fail(call, "auth_unavailable", "auth_unavailable", {
      reason: result.reason,
      error_name: cause?.name ?? null,
      error_message: cause?.message.slice(0, 200) ?? null,
    }, firstQueryOrgId(req));
  }
  const identity = result.sub ?? "anonymous";
  return reject(call, "invalid_token", result.reason, identity, firstQueryOrgId(req));
}

/** Authenticates and authorises one request. See `verifyRequest` in auth-guard.ts. */
export async function verify(
  req: Request,
  options: VerifyOptions = {},
): Promise<AuthContext | Response> {
  const call = callLogFor(options);
  const config = resolveConfig(options.config, call.logger);
  if (config.problems.length > 0) {
    const fields = { phase: "request", ...describeProblems(config) };
    return fail(call, "server_misconfigured", "auth_config_invalid", fields);
  }
  const creds = readCredentials(req);
  if (creds.oversized) {
    return reject(call, "invalid_token", "oversized", "anonymous", firstQueryOrgId(req));
  }
  const service = checkServiceCaller(creds, config.secrets, call);
  if (service.via !== null) return serviceContext(req, service.via, call);
  if (creds.bearer === null) {
    return reject(
      call,
      "missing_authorization",
      "no_credentials",
      "anonymous",
      firstQueryOrgId(req),
    );
  }
  if (service.bearerIsPublicKey) {
    const orgId = firstQueryOrgId(req);
    return reject(call, "invalid_token", "anon_or_publishable_key", "anonymous", orgId);
  }
  if (creds.bearer.startsWith("sb_")) {
    return reject(call, "invalid_token", "unknown_api_key", "anonymous", firstQueryOrgId(req));
  }
  return await userContext(req, creds.bearer, config, options, call);
}
