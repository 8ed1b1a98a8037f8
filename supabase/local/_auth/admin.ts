/**
 * The few Auth calls the local stack and the tests make, as plain HTTP so
 * they read like docs/operations.md: create a user (`POST /admin/users`),
 * set its `app_metadata.claims` (`PUT /admin/users/<id>`), and sign in with a
 * password (`POST /token?grant_type=password`). Paths and bodies are
 * supabase/auth v2.196.0's (`internal/api/admin.go` adminUserCreate /
 * adminUserUpdate, `internal/api/token.go`). Internal: use `../auth.ts`.
 */

/** Where and how to call Auth: `<project URL>/auth/v1` through the gateway, or Auth's own URL. */
export interface AuthEndpoint {
  /** e.g. `http://127.0.0.1:54321/auth/v1`. */
  url: string;
  /** The `apikey` header (the anon key for sign-in, the service_role key for the admin API). */
  apiKey: string;
}

/** GoTrue's session answer (the fields used here). */
export interface AuthSession {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  expires_at: number;
  user: { id: string; email?: string; app_metadata: Record<string, unknown> };
}

async function call<T>(e: AuthEndpoint, path: string, init: RequestInit & { bearer?: string }) {
  const headers = new Headers({ apikey: e.apiKey, "Content-Type": "application/json" });
  headers.set("Authorization", `Bearer ${init.bearer ?? e.apiKey}`);
  const res = await fetch(`${e.url.replace(/\/+$/, "")}${path}`, { ...init, headers });
  const body = await res.text();
  if (!res.ok) {
    // GoTrue's error body carries no credential; the path has no query secrets.
    throw new Error(
      `Auth ${init.method ?? "GET"} ${path.split("?")[0]}: ${res.status} ${body.slice(0, 300)}`,
    );
  }
  return JSON.parse(body) as T;
}

/**
 * Creates a confirmed email user with a password and `app_metadata` (admin API, service key).
 *
 * @returns the new user's id.
 */
export async function createAuthUser(
  admin: AuthEndpoint,
  user: { email: string; password: string; appMetadata?: Record<string, unknown> },
): Promise<string> {
  const created = await call<{ id: string }>(admin, "/admin/users", {
    method: "POST",
    body: JSON.stringify({
      email: user.email,
      password: user.password,
      email_confirm: true,
      app_metadata: user.appMetadata ?? {},
    }),
  });
  return created.id;
}

/** Replaces the user's `app_metadata.claims` (admin API, service key); other keys are kept. */
export async function setUserClaims(
  admin: AuthEndpoint,
  userId: string,
  claims: Record<string, unknown> | null,
): Promise<void> {
  await call(admin, `/admin/users/${encodeURIComponent(userId)}`, {
    method: "PUT",
    body: JSON.stringify({ app_metadata: { claims } }),
  });
}

/** A password sign-in (anon key); the session with a real access token. */
export function signInWithPassword(
  anon: AuthEndpoint,
  login: { email: string; password: string },
): Promise<AuthSession> {
  return call<AuthSession>(anon, "/token?grant_type=password", {
    method: "POST",
    body: JSON.stringify(login),
  });
}

/** A refresh-token grant (anon key); the next session (the refresh token rotates). */
export function refreshSession(anon: AuthEndpoint, refreshToken: string): Promise<AuthSession> {
  return call<AuthSession>(anon, "/token?grant_type=refresh_token", {
    method: "POST",
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
}
