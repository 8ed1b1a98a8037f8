/**
 * The legacy `service_role` API key is a JWT signed with the project's
 * JWT_SECRET (`{"iss":"supabase","ref":"<project>","role":"service_role"}`).
 * When JWT_SECRET is configured, such a token is verified as a JWT, so a copy
 * of the key that differs in text from SUPABASE_SERVICE_ROLE_KEY (a Vault
 * holding one copy and the function's environment another) still works.
 */
import { classify, precheck } from "./jwt.ts";
import { decodeJwt, jwtVerify } from "./jose.ts";
import type { AuthConfig } from "./types.ts";
import type { ServiceJwtReason } from "../error-catalogue.ts";

const LEGACY_ISSUER = "supabase";

/** The `ref` claim of a legacy key, read without verification (it is our own configuration). */
function refOf(key: string | null): string | null {
  if (key === null || key.split(".").length !== 3) return null;
  try {
    const ref = decodeJwt(key).ref;
    return typeof ref === "string" && ref !== "" ? ref : null;
  } catch {
    return null;
  }
}

/**
 * The project's ref: from the configured legacy keys (service_role first, then
 * anon), else from a `https://<ref>.supabase.co` SUPABASE_URL; null if unknown.
 */
export function projectRef(keys: (string | null)[], baseUrl: string | null): string | null {
  for (const key of keys) {
    const ref = refOf(key);
    if (ref !== null) return ref;
  }
  const host = baseUrl === null ? null : new URL(baseUrl).hostname;
  const match = host?.match(/^([a-z0-9]+)\.supabase\.co$/);
  return match ? match[1] : null;
}

/** True when the unverified payload claims to be a legacy service_role key (cheap; no crypto). */
export function claimsLegacyService(token: string): boolean {
  if (token.length > 2048 || token.split(".").length !== 3) return false;
  try {
    const payload = decodeJwt(token);
    return payload.role === "service_role" && payload.iss === LEGACY_ISSUER;
  } catch {
    return false;
  }
}

/** Verification of a token that claims to be a legacy service_role key: ok, or the log reason. */
export async function verifyLegacyService(
  token: string,
  o: { hmacKey: Promise<CryptoKey>; ref: string; now?: () => Date },
): Promise<{ ok: true } | { ok: false; reason: ServiceJwtReason }> {
  const checked = precheck(token, { issuer: LEGACY_ISSUER, hmacKey: o.hmacKey, keySet: null });
  if (typeof checked === "string") return { ok: false, reason: `service_jwt_${checked}` };
  try {
    const { payload } = await jwtVerify(token, await o.hmacKey, {
      algorithms: ["HS256"],
      issuer: LEGACY_ISSUER,
      requiredClaims: ["exp", "role", "ref"],
      currentDate: o.now?.(),
    });
    if (payload.role !== "service_role") return { ok: false, reason: "service_jwt_wrong_role" };
    if (payload.ref !== o.ref) return { ok: false, reason: "service_jwt_wrong_ref" };
    return { ok: true };
  } catch (err) {
    const result = classify(err);
    return {
      ok: false,
      reason: `service_jwt_${result.ok ? "verification_failed" : result.reason}`,
    };
  }
}

/**
 * Is `token` a legacy service_role JWT of this project? true; a rejection
 * reason when it claims to be one but fails; null when it does not claim it or
 * the check is off (no JWT_SECRET or no known project ref).
 */
export async function legacyServiceCaller(
  token: string | null,
  config: AuthConfig,
  now?: () => Date,
): Promise<true | ServiceJwtReason | null> {
  const hmacKey = config.secrets.hmacKey();
  if (token === null || config.projectRef === null || hmacKey === null) return null;
  if (!claimsLegacyService(token)) return null;
  const result = await verifyLegacyService(token, { hmacKey, ref: config.projectRef, now });
  return result.ok ? true : result.reason;
}
