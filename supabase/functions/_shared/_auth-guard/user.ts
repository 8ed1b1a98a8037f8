/**
 * Authorisation of a verified user: rights come only from
 * `app_metadata.claims` (set by the admin API; `user_metadata` is user-writable
 * and never read), then the organisation the request names must be the user's.
 */
import { type CallLog, reject } from "./errors.ts";
import type { UserClaims } from "./jwt.ts";
import { firstQueryOrgId, readRequest } from "./org.ts";
import type { AuthContext, VerifyOptions } from "./types.ts";
import type { ReasonCode } from "../error-catalogue.ts";

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** `integration_admin` (exactly `true`) and `organization_id` from `app_metadata.claims`. */
export function readAppClaims(claims: UserClaims): { isAdmin: boolean; orgId: string | null } {
  const appMetadata = claims.app_metadata;
  const granted = isRecord(appMetadata) && isRecord(appMetadata.claims) ? appMetadata.claims : {};
  const orgId = granted.organization_id;
  return {
    isAdmin: granted.integration_admin === true,
    orgId: typeof orgId === "string" && orgId !== "" ? orgId : null,
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Applies options and org scope to a verified user; returns the context or a 403. */
export async function authorizeUser(
  req: Request,
  claims: UserClaims,
  options: VerifyOptions,
  call: CallLog,
): Promise<AuthContext | Response> {
  const { sub } = claims;
  const { isAdmin, orgId } = readAppClaims(claims);
  const refuse = (reason: ReasonCode) =>
    reject(call, "insufficient_permissions", reason, sub, firstQueryOrgId(req));
  if (options.allowUserTokens === false) return refuse("user_tokens_not_allowed");
  // Supabase Auth's anonymous sign-in issues `role: authenticated` tokens with
  // `is_anonymous: true`: nobody anonymous acts for an organization, whatever
  // claims an admin may have granted by mistake and whatever the function requires.
  if (claims.is_anonymous === true) return refuse("anonymous_user");
  if (options.requireIntegrationAdmin !== false) {
    if (!isAdmin) return refuse("not_integration_admin");
    if (orgId === null) return refuse("admin_without_organization");
  }
  const named = await readRequest(req, options);
  if (!named.ok) return reject(call, "org_scope_violation", named.reason, sub, null);
  const foreign = named.orgIds.find((id) => id !== orgId);
  if (foreign !== undefined) {
    return reject(call, "org_scope_violation", "org_mismatch", sub, foreign);
  }
  return {
    userId: sub,
    orgId,
    isServiceRole: false,
    via: "user_jwt",
    isIntegrationAdmin: isAdmin,
    claims: deepFreeze(claims),
    body: named.body,
  };
}
