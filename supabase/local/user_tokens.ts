/**
 * User access tokens minted the way Supabase Auth mints them (HS256 with the
 * project JWT secret and Auth's claim set), for the local stack and test
 * support. Local use only: nothing here talks to a real project.
 *
 * @module
 */
import { randomToken, signHs256Jwt } from "./keys.ts";

/** What to put in a user access token. */
export interface UserTokenSpec {
  /** Project URL; the issuer is `${projectUrl}/auth/v1`. */
  projectUrl: string;
  /** HS256 project JWT secret. */
  jwtSecret: string;
  /** User id. Default: a random UUID. */
  sub?: string;
  /** Default: `user-<random>@example.test`. */
  email?: string;
  /** `app_metadata.claims` (integration_admin, organization_id). Default: none. */
  claims?: Record<string, unknown>;
  /** Lifetime in seconds. Default: 3600 (Supabase Auth's default `jwt_expiry`). */
  ttlSeconds?: number;
  /** Clock. Default: `() => new Date()`. */
  now?: () => Date;
}

/** The parts of a user access token that vary (`iat` in seconds; `exp` = `iat` + `ttlSeconds`). */
export interface AuthClaimsSpec {
  issuer: string;
  sub: string;
  email: string;
  iat: number;
  ttlSeconds: number;
  /** Merged over `{provider: "email", providers: ["email"]}`. Default: nothing more. */
  appMetadata?: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
}

/**
 * Supabase Auth's access-token claim set, unsigned: iss, aud `authenticated`,
 * sub, exp, iat, email, phone, app_metadata, user_metadata, role
 * `authenticated`, aal, amr, a random session_id, is_anonymous.
 *
 * @example
 * const claims = supabaseAuthClaims({ issuer, sub, email, iat, ttlSeconds: 3600, userMetadata: {} });
 */
export function supabaseAuthClaims(spec: AuthClaimsSpec): Record<string, unknown> {
  const { iat } = spec;
  return {
    iss: spec.issuer,
    aud: "authenticated",
    sub: spec.sub,
    exp: iat + spec.ttlSeconds,
    iat,
    email: spec.email,
    phone: "",
    app_metadata: { provider: "email", providers: ["email"], ...spec.appMetadata },
    user_metadata: spec.userMetadata,
    role: "authenticated",
    aal: "aal1",
    amr: [{ method: "password", timestamp: iat }],
    session_id: crypto.randomUUID(),
    is_anonymous: false,
  };
}

/**
 * Mints an HS256 user access token with Supabase Auth's claim set
 * ({@linkcode supabaseAuthClaims}): iss `<url>/auth/v1`, app_metadata
 * `{provider, providers, claims?}`, user_metadata `{email, email_verified,
 * phone_verified, sub}`.
 *
 * @example
 * const token = mintUserAccessToken({ projectUrl, jwtSecret, claims: { integration_admin: true } });
 */
export function mintUserAccessToken(spec: UserTokenSpec): string {
  const iat = Math.floor((spec.now?.() ?? new Date()).getTime() / 1000);
  const sub = spec.sub ?? crypto.randomUUID();
  const email = spec.email ?? `user-${randomToken(4)}@example.test`;
  return signHs256Jwt(
    supabaseAuthClaims({
      issuer: `${spec.projectUrl.replace(/\/+$/, "")}/auth/v1`,
      sub,
      email,
      iat,
      ttlSeconds: spec.ttlSeconds ?? 3600,
      appMetadata: spec.claims === undefined ? {} : { claims: spec.claims },
      userMetadata: { email, email_verified: true, phone_verified: false, sub },
    }),
    spec.jwtSecret,
  );
}
