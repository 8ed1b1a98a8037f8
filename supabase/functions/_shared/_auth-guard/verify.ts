/**
 * The guard's decision order: configuration, input size, cron secret, service
 * key, missing credentials, anon/publishable key, user token, user rights, org.
 */
import { describeError, log } from "../log.ts";
import { describeProblems, resolveConfig } from "./config.ts";
import { type CallLog, errorResponse, fail, reject } from "./errors.ts";
import { asymmetricKeySet } from "./keys.ts";
import { type TokenRoute, verifyUserToken } from "./jwt.ts";
import { firstQueryOrgId, queryOrgIds, readRequest } from "./org.ts";
import { legacyServiceCaller } from "./legacy.ts";
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
  options: VerifyOptions,
  call: CallLog,
): Promise<AuthContext | Response> {
  const read = await readRequest(req, options);
  if (!read.ok && read.reason === "invalid_org_id") {
    return reject(call, "org_scope_violation", read.reason, "service_role", null);
  }
  // Trusted callers may send bodies the guard cannot read whole; their org then comes from the query.
  const orgIds = read.ok ? read.orgIds : queryOrgIds(req);
  const body: AuthContext["body"] = read.ok ? read.body : { kind: "unread", reason: read.reason };
  if (!read.ok) {
    call.logger("warn", "body_not_scoped", {
      ...(call.functionName === undefined ? {} : { function_name: call.functionName }),
      caller_identity: "service_role",
      reason: read.reason,
    });
  }
  if (orgIds.length > 1) {
    return reject(call, "org_scope_violation", "conflicting_org_ids", "service_role", orgIds[0]);
  }
  const orgId = orgIds[0] ?? null;
  return {
    userId: null,
    orgId,
    isServiceRole: true,
    via,
    isIntegrationAdmin: false,
    claims: null,
    body,
  };
}

function routeFor(config: AuthConfig, options: VerifyOptions, call: CallLog): TokenRoute | null {
  if (config.issuer === null) return null;
  return {
    issuer: config.issuer,
    hmacKey: config.secrets.hmacKey(),
    keySet: asymmetricKeySet(config, options, call),
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
  const route = routeFor(config, options, call);
  if (route === null) {
    return reject(call, "invalid_token", "user_tokens_not_configured", "anonymous", null);
  }
  const result = await verifyUserToken(token, route);
  if (result.ok) return authorizeUser(req, result.claims, options, call);
  // Checked only once the token failed as a user token: no cost on the user path.
  const legacy = result.unavailable ? null : await legacyServiceCaller(token, config, options.now);
  if (legacy === true) return serviceContext(req, "service_key", options, call);
  if (legacy !== null) {
    return reject(call, "invalid_token", legacy, "anonymous", firstQueryOrgId(req));
  }
  if (result.unavailable) {
    return fail(call, "auth_unavailable", "auth_unavailable", {
      reason: result.reason,
      error_detail: result.cause === undefined ? null : describeError(result.cause),
    }, firstQueryOrgId(req));
  }
  const identity = result.sub ?? "anonymous";
  return reject(call, "invalid_token", result.reason, identity, firstQueryOrgId(req));
}

/**
 * Authenticates and authorises one request. See `verifyRequest` in auth-guard.ts.
 * Never throws: an unexpected failure is logged and answered 500 internal_error.
 */
export async function verify(
  req: Request,
  options: VerifyOptions = {},
): Promise<AuthContext | Response> {
  try {
    return await decide(req, options);
  } catch (err) {
    const call = callLogFor(options);
    try {
      call.logger("error", "guard_error", { error_detail: describeError(err) });
    } catch { /* the answer matters more than the log */ }
    return errorResponse("internal_error");
  }
}

async function decide(
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
  if (service.via !== null) return serviceContext(req, service.via, options, call);
  if (creds.bearer === null || service.bearerIsPublicKey) {
    // supabase-js sends the key as apikey (Bearer = the anon key, or nothing).
    if (await legacyServiceCaller(creds.apikey, config, options.now) === true) {
      return serviceContext(req, "service_key", options, call);
    }
  }
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
