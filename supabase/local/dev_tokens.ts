/**
 * The one seam through which local tools (`./dev token`) get a user's access
 * token for an organization: a new user is created and granted through the
 * running stack's real Supabase Auth admin API (`POST /auth/v1/admin/users`
 * with `app_metadata.claims`, as docs/operations.md grants them), then signs
 * in with its password; the token is the one Auth issues. Local use only.
 *
 * @module
 */
import { createAuthUser, signInWithPassword } from "./auth.ts";

/** What a running local stack offers to get tokens from. */
export interface LocalProject {
  /** The project URL (`SUPABASE_URL`); Auth is at `<apiUrl>/auth/v1`. */
  apiUrl: string;
  /** The anon key (password sign-in). */
  anonKey: string;
  /** The service_role key (Auth's admin API). */
  serviceRoleKey: string;
}

/** Who the token is for. */
export interface LocalUserSpec {
  /** `app_metadata.claims.organization_id`. */
  orgId: string;
  /** `app_metadata.claims.integration_admin`. */
  admin: boolean;
}

/**
 * An access token of a new user of `spec.orgId`, issued by the stack's Supabase Auth
 * (its lifetime is Auth's `GOTRUE_JWT_EXP`, 3600 s by default).
 *
 * @param project the stack's URL and API keys.
 * @param spec organization and admin right.
 * @returns the bearer token.
 * @example
 * const token = await localUserToken({ apiUrl, anonKey, serviceRoleKey }, { orgId, admin: true });
 */
export async function localUserToken(project: LocalProject, spec: LocalUserSpec): Promise<string> {
  const url = `${project.apiUrl.replace(/\/+$/, "")}/auth/v1`;
  const email = `dev-${crypto.randomUUID()}@example.test`;
  const password = crypto.randomUUID();
  await createAuthUser({ url, apiKey: project.serviceRoleKey }, {
    email,
    password,
    appMetadata: { claims: { integration_admin: spec.admin, organization_id: spec.orgId } },
  });
  const session = await signInWithPassword({ url, apiKey: project.anonKey }, { email, password });
  return session.access_token;
}
