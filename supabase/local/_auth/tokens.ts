/**
 * Access tokens and session answers of the stand-in: HS256 with the project
 * JWT secret and Auth's claim set (`../user_tokens.ts`), `session_id` naming
 * the session, and the session JSON of supabase/auth
 * `internal/tokens/service.go` (AccessTokenResponse). Verification follows
 * `internal/api/auth.go` (requireAuthentication, maybeLoadUserOrSession).
 * Internal: use `../auth.ts`.
 */
import { jwtVerify } from "jose";
import { signHs256Jwt } from "../keys.ts";
import { supabaseAuthClaims } from "../user_tokens.ts";
import type { AuthUser } from "./users.ts";
import { userJson } from "./users.ts";
import type { Session } from "./sessions.ts";

/** What minting and checking tokens needs. */
export interface TokenSettings {
  issuer: string;
  jwtSecret: string;
  ttlSeconds: number;
}

/** GoTrue's session JSON for a fresh access token. */
export function sessionJson(
  user: AuthUser,
  o: { session: Session; refreshToken: string; now: Date; settings: TokenSettings },
): Record<string, unknown> {
  const iat = Math.floor(o.now.getTime() / 1000);
  const { issuer, ttlSeconds, jwtSecret } = o.settings;
  const claims = supabaseAuthClaims({
    issuer,
    sub: user.id,
    email: user.email,
    iat,
    ttlSeconds,
    appMetadata: user.appMetadata,
    userMetadata: user.userMetadata,
  });
  claims.session_id = o.session.id;
  return {
    access_token: signHs256Jwt(claims, jwtSecret),
    token_type: "bearer",
    expires_in: ttlSeconds,
    expires_at: iat + ttlSeconds,
    refresh_token: o.refreshToken,
    user: userJson(user),
  };
}

/** A verified access token's `sub` and `session_id`, or GoTrue's 403 reason. */
export async function verifyAccessToken(
  token: string,
  settings: TokenSettings,
  now: Date,
): Promise<{ sub: string; sessionId: string | null } | { error: string }> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(settings.jwtSecret), {
      algorithms: ["HS256"],
      issuer: settings.issuer,
      audience: "authenticated",
      requiredClaims: ["sub", "exp"],
      currentDate: now,
    });
    const sessionId = typeof payload.session_id === "string" ? payload.session_id : null;
    return { sub: payload.sub!, sessionId };
  } catch (err) {
    const why = (err as { code?: string }).code === "ERR_JWT_EXPIRED"
      ? "token has invalid claims: token is expired"
      : "signature is invalid";
    return { error: `invalid JWT: unable to parse or verify signature, ${why}` };
  }
}
