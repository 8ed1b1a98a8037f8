/**
 * The fixed responses of the client error codes (their statuses come from
 * ERROR_CATALOGUE in error-catalogue.ts) and the one-line rejection log.
 * Internal reasons go to the log only, never to the client.
 */
import { json } from "../http.ts";
import {
  type ClientErrorCode,
  clientStatus,
  type ReasonCode,
  type ServiceJwtReason,
} from "../error-catalogue.ts";
import type { Logger } from "../log.ts";

export type { ClientErrorCode };

/** Why a request was refused, in the log only: a catalogued reason, or a legacy key's. */
export type RejectionReason = ReasonCode | ServiceJwtReason;

// RFC 6750 §3: no error attribute when the request carried no credentials.
const REALM = 'Bearer realm="edge-guard"';
const CHALLENGE: Readonly<Partial<Record<ClientErrorCode, string>>> = {
  missing_authorization: REALM,
  invalid_token: `${REALM}, error="invalid_token"`,
  insufficient_permissions: `${REALM}, error="insufficient_scope"`,
  org_scope_violation: `${REALM}, error="insufficient_scope"`,
};

/** The fixed response for a code: body `{"error":"<code>"}`, its status and headers. */
export function errorResponse(code: ClientErrorCode, extra: Record<string, string> = {}): Response {
  const headers: Record<string, string> = { "Cache-Control": "no-store", ...extra };
  const challenge = CHALLENGE[code];
  if (challenge !== undefined) headers["WWW-Authenticate"] = challenge;
  return json({ error: code }, clientStatus(code), headers);
}

/** Where a call logs, and the function name it logs under. */
export interface CallLog {
  logger: Logger;
  functionName?: string;
}

/** `caller_identity` of a log line: a verified `sub`, `service_role`, or `anonymous`. */
export type CallerIdentity = string;

const PRINTABLE_ORG_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

// The org id comes from the request, so it is only echoed when it looks like an id.
function loggableOrgId(orgId: string | null): string | null {
  if (orgId === null) return null;
  return PRINTABLE_ORG_ID.test(orgId) ? orgId : "[not an id]";
}

function baseFields(call: CallLog, identity: CallerIdentity, orgId: string | null) {
  return {
    caller_identity: identity,
    attempted_org_id: loggableOrgId(orgId),
    ...(call.functionName === undefined ? {} : { function_name: call.functionName }),
  };
}

/** Logs one `auth_rejected` line and returns the fixed 401/403 response. */
export function reject(
  call: CallLog,
  code: ClientErrorCode,
  reason: RejectionReason,
  identity: CallerIdentity,
  attemptedOrgId: string | null,
): Response {
  call.logger("warn", "auth_rejected", {
    ...baseFields(call, identity, attemptedOrgId),
    rejection_reason: reason,
    status: clientStatus(code),
    error: code,
  });
  return errorResponse(code);
}

/** Logs a server-side failure (500/503) as `event` at level error and returns the fixed response. */
export function fail(
  call: CallLog,
  code: ClientErrorCode,
  event: string,
  fields: Record<string, unknown>,
  attemptedOrgId: string | null = null,
): Response {
  call.logger("error", event, {
    ...baseFields(call, "anonymous", attemptedOrgId),
    ...fields,
    status: clientStatus(code),
    error: code,
  });
  return errorResponse(code);
}
