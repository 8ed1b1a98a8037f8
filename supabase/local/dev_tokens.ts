/**
 * The one seam through which local tools (`./dev token`) and tests get a
 * user's access token for an organization. Today the token is minted as
 * Supabase Auth mints it, with the project's JWT secret (`user_tokens.ts`);
 * when the stack runs the real Supabase Auth, only this file changes (sign a
 * user up with those claims and sign in). Local use only.
 *
 * @module
 */
import { mintUserAccessToken } from "./user_tokens.ts";

/** What a running local stack offers to get tokens from. */
export interface LocalProject {
  /** The project URL (`SUPABASE_URL`). */
  apiUrl: string;
  /** The project's HS256 JWT secret. */
  jwtSecret: string;
}

/** Who the token is for. */
export interface LocalUserSpec {
  /** `app_metadata.claims.organization_id`. */
  orgId: string;
  /** `app_metadata.claims.integration_admin`. */
  admin: boolean;
  /** Lifetime in seconds. Default 3600. */
  ttlSeconds?: number;
}

/**
 * An access token of a new user of `spec.orgId`, as Supabase Auth would issue it.
 *
 * @param project the stack's URL and JWT secret.
 * @param spec organization, admin right, lifetime.
 * @returns the bearer token.
 * @example
 * const token = await localUserToken({ apiUrl, jwtSecret }, { orgId, admin: true });
 */
export function localUserToken(project: LocalProject, spec: LocalUserSpec): Promise<string> {
  return Promise.resolve(mintUserAccessToken({
    projectUrl: project.apiUrl,
    jwtSecret: project.jwtSecret,
    claims: { integration_admin: spec.admin, organization_id: spec.orgId },
    ttlSeconds: spec.ttlSeconds,
  }));
}
