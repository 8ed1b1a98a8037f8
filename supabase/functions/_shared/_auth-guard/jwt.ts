/**
 * User-token verification. The protected header is inspected before any crypto,
 * and the algorithm picks a route fixed by configuration (HS256 -> JWT_SECRET,
 * ES256/RS256 -> key set), so a token can never choose its own key type.
 */
import { decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from "./jose.ts";
import type { JWTVerifyGetKey } from "./jose.ts";
import { KeySourceUnavailable } from "./keys.ts";
import { isErrorCode, type ReasonCode } from "../error-catalogue.ts";

export const MAX_TOKEN_BYTES = 8 * 1024;
export const MAX_HEADER_SEGMENT_BYTES = 1024;
export const MAX_KID_LENGTH = 256;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HS_ALGORITHMS = ["HS256"];
const ASYMMETRIC_ALGORITHMS = ["ES256", "RS256"];
const REQUIRED_CLAIMS = ["sub", "exp", "iat", "role"];
// Headers that point at or embed a key; the guard never takes keys from a token.
const KEY_HEADERS = ["jku", "jwk", "x5u", "x5c"];

/** What a user token may be verified with. A null key source disables its algorithms. */
export interface TokenRoute {
  issuer: string;
  hmacKey: Promise<CryptoKey> | null;
  keySet: JWTVerifyGetKey | null;
  now?: () => Date;
}

/** Verified claims with a non-empty `sub` and role "authenticated". */
export type UserClaims = JWTPayload & { sub: string };

export type TokenResult =
  | { ok: true; claims: UserClaims }
  | { ok: false; unavailable: false; reason: ReasonCode; sub: string | null }
  | { ok: false; unavailable: true; reason: ReasonCode; cause: unknown };

const invalid = (reason: ReasonCode, sub: string | null = null): TokenResult => ({
  ok: false,
  unavailable: false,
  reason,
  sub,
});

function algorithmAllowed(alg: string, route: TokenRoute): boolean {
  if (alg === "HS256") return route.hmacKey !== null;
  return ASYMMETRIC_ALGORITHMS.includes(alg) && route.keySet !== null;
}

// RFC 7515 §2 / RFC 4648 §3.5: unpadded base64url whose unused trailing bits are
// zero. jose decodes loosely ('=' padding, spare bits), which would give one token
// several spellings and let it slip past a deny-list or cache keyed by the string.
// An empty segment passes here (an `alg: none` token has no signature; it is
// refused by name below); header and payload must not be empty.
function canonicalSegment(segment: string): boolean {
  if (segment !== "" && !BASE64URL.test(segment)) return false;
  const rest = segment.length % 4;
  if (rest === 1) return false;
  if (rest === 0) return true;
  const spareBits = rest === 2 ? 0b1111 : 0b11;
  return (B64_ALPHABET.indexOf(segment[segment.length - 1]) & spareBits) === 0;
}

/** Checks size, shape and protected header. Returns the algorithm, or a rejection reason. */
export function precheck(token: string, route: TokenRoute): { alg: string } | ReasonCode {
  const headerEnd = token.indexOf(".");
  if (token.length > MAX_TOKEN_BYTES || headerEnd > MAX_HEADER_SEGMENT_BYTES) return "oversized";
  if (headerEnd === -1 && token.length > MAX_HEADER_SEGMENT_BYTES) return "oversized";
  const segments = token.split(".");
  if (segments.length !== 3 || segments[0] === "" || segments[1] === "") return "malformed";
  if (!segments.every(canonicalSegment)) return "malformed";
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    return "malformed";
  }
  const { alg, kid } = header;
  if (typeof alg !== "string") return "malformed";
  if (alg.toLowerCase() === "none") return "alg_none";
  if (!algorithmAllowed(alg, route)) return "alg_not_allowed";
  if ("crit" in header) return "crit_header";
  if (KEY_HEADERS.some((name) => name in header)) return "key_in_header";
  if (kid !== undefined && (typeof kid !== "string" || kid === "" || kid.length > MAX_KID_LENGTH)) {
    return "bad_kid";
  }
  return { alg };
}

// `missing_<claim>` / `invalid_<claim>` for the claims jose checks; each is catalogued.
function claimReason(err: InstanceType<typeof errors.JWTClaimValidationFailed>): ReasonCode {
  if (err.reason !== "missing") {
    if (err.claim === "iss") return "wrong_issuer";
    if (err.claim === "aud") return "wrong_audience";
    if (err.claim === "nbf") return "not_yet_valid";
  }
  const reason = `${err.reason === "missing" ? "missing" : "invalid"}_${err.claim}`;
  return isErrorCode(reason, "reason") ? reason : "verification_failed";
}

/** Maps a verification error to a log reason (or to "keys unavailable"). */
export function classify(err: unknown): TokenResult {
  if (err instanceof KeySourceUnavailable) {
    return { ok: false, unavailable: true, reason: err.reason, cause: err.cause };
  }
  if (err instanceof errors.JWTExpired) return invalid("expired");
  if (err instanceof errors.JWTClaimValidationFailed) return invalid(claimReason(err));
  if (err instanceof errors.JWSSignatureVerificationFailed) return invalid("bad_signature");
  if (err instanceof errors.JWKSNoMatchingKey) return invalid("unknown_kid");
  if (err instanceof errors.JWKSMultipleMatchingKeys) return invalid("ambiguous_kid");
  if (err instanceof errors.JOSEAlgNotAllowed) return invalid("alg_not_allowed");
  if (err instanceof errors.JOSENotSupported) return invalid("alg_not_allowed");
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) {
    return invalid("malformed");
  }
  return invalid("verification_failed");
}

function checkClaims(payload: JWTPayload): TokenResult {
  const { sub, role } = payload;
  if (typeof sub !== "string" || sub === "") return invalid("missing_sub");
  if (role !== "authenticated") return invalid("wrong_role", sub);
  return { ok: true, claims: payload as UserClaims };
}

async function verifySignedToken(token: string, alg: string, route: TokenRoute) {
  const common = {
    issuer: route.issuer,
    audience: "authenticated",
    requiredClaims: REQUIRED_CLAIMS,
    currentDate: route.now?.(),
  };
  if (alg === "HS256" && route.hmacKey !== null) {
    const key = await route.hmacKey;
    return (await jwtVerify(token, key, { ...common, algorithms: HS_ALGORITHMS })).payload;
  }
  if (alg !== "HS256" && route.keySet !== null) {
    const options = { ...common, algorithms: ASYMMETRIC_ALGORITHMS };
    return (await jwtVerify(token, route.keySet, options)).payload;
  }
  throw new errors.JOSEAlgNotAllowed("no key source for this algorithm");
}

/** Verifies a user token: prechecks, signature and pinned claims, then `sub` and `role`. */
export async function verifyUserToken(token: string, route: TokenRoute): Promise<TokenResult> {
  const checked = precheck(token, route);
  if (typeof checked === "string") return invalid(checked);
  try {
    return checkClaims(await verifySignedToken(token, checked.alg, route));
  } catch (err) {
    return classify(err);
  }
}
