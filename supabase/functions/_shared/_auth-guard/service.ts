/**
 * Credentials carried in headers, and the service-caller path: the cron secret
 * (`x-cron-secret`) and service keys (legacy service_role JWT or `sb_secret_...`)
 * presented as `Authorization: Bearer` or `apikey`.
 */
import type { CallLog } from "./errors.ts";
import type { AuthSecrets } from "./secrets.ts";

/** Credential headers longer than this are refused before any hashing or crypto. */
export const MAX_CREDENTIAL_HEADER_BYTES = 8 * 1024;

/** The credential headers of a request. */
export interface Credentials {
  /** The Bearer credentials of `Authorization`, or null when absent, empty or another scheme. */
  bearer: string | null;
  apikey: string | null;
  cronSecret: string | null;
  /** A credential header exceeded {@linkcode MAX_CREDENTIAL_HEADER_BYTES}. */
  oversized: boolean;
}

// RFC 7235: the auth scheme is case-insensitive.
function parseBearer(authorization: string | null): string | null {
  if (authorization === null) return null;
  const value = authorization.trim();
  const gap = value.search(/[ \t]/);
  if (gap === -1 || value.slice(0, gap).toLowerCase() !== "bearer") return null;
  const token = value.slice(gap).trim();
  return token === "" ? null : token;
}

const nonEmpty = (v: string | null) => (v === null || v === "" ? null : v);

/** Reads `Authorization`, `apikey` and `x-cron-secret`. Header values are ByteStrings, so length = bytes. */
export function readCredentials(req: Request): Credentials {
  const authorization = req.headers.get("authorization");
  const apikey = nonEmpty(req.headers.get("apikey"));
  const cronSecret = nonEmpty(req.headers.get("x-cron-secret"));
  const oversized = [authorization, apikey, cronSecret].some((v) =>
    v !== null && v.length > MAX_CREDENTIAL_HEADER_BYTES
  );
  if (oversized) return { bearer: null, apikey: null, cronSecret: null, oversized };
  return { bearer: parseBearer(authorization), apikey, cronSecret, oversized };
}

/** Result of the service-caller check. `bearerIsPublicKey`: the Bearer is the anon or a publishable key. */
export interface ServiceCheck {
  via: "cron_secret" | "service_key" | null;
  bearerIsPublicKey: boolean;
}

function checkCronSecret(presented: string, secrets: AuthSecrets, call: CallLog): boolean {
  const where = call.functionName === undefined ? {} : { function_name: call.functionName };
  if (!secrets.hasCronSecret) {
    call.logger("warn", "cron_secret_not_configured", {
      ...where,
      detail:
        "an x-cron-secret header was sent but CRON_SECRET is not set for this function; judging the request on its other credentials",
    });
    return false;
  }
  if (secrets.matchesCron(presented)) return true;
  call.logger("warn", "cron_secret_mismatch", {
    ...where,
    detail:
      "the x-cron-secret header does not match CRON_SECRET; judging the request on its other credentials",
  });
  return false;
}

/** Decides whether the caller is a service caller (cron secret, then service key). */
export function checkServiceCaller(
  creds: Credentials,
  secrets: AuthSecrets,
  call: CallLog,
): ServiceCheck {
  if (creds.cronSecret !== null && checkCronSecret(creds.cronSecret, secrets, call)) {
    return { via: "cron_secret", bearerIsPublicKey: false };
  }
  const bearerKind = creds.bearer === null ? null : secrets.classifyKey(creds.bearer);
  if (bearerKind === "service") return { via: "service_key", bearerIsPublicKey: false };
  const bearerIsPublicKey = bearerKind === "non_service";
  if (creds.apikey !== null && creds.apikey !== creds.bearer) {
    if (secrets.classifyKey(creds.apikey) === "service") {
      return { via: "service_key", bearerIsPublicKey };
    }
  }
  return { via: null, bearerIsPublicKey };
}
