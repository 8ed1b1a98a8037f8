/**
 * The local Auth stand-in's users: kept in memory, passwords stored as salted
 * PBKDF2-SHA256 hashes (GoTrue stores bcrypt hashes in `auth.users`; any slow
 * salted hash serves here), compared in constant time. The JSON a user is
 * answered with follows GoTrue's `models.User` (supabase/auth
 * `internal/models/user.go`). Internal: use `../auth.ts`.
 */
import { Buffer } from "node:buffer";
import { timingSafeEqual } from "node:crypto";

const ITERATIONS = 100_000;

/** A demo user as the stack creates it. */
export interface AuthUserSpec {
  /** Default: a random UUID. */
  id?: string;
  email: string;
  password: string;
  /** `app_metadata.claims` (integration_admin, organization_id). Default: none. */
  claims?: Record<string, unknown>;
}

/** A stored user. */
export interface AuthUser {
  id: string;
  email: string;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  createdAt: Date;
  lastSignInAt: Date | null;
  passwordHash: { salt: Uint8Array; hash: Uint8Array };
}

async function pbkdf2(password: string, salt: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const params = { name: "PBKDF2", hash: "SHA-256", salt, iterations: ITERATIONS };
  return new Uint8Array(await crypto.subtle.deriveBits(params, key, 256));
}

/** In-memory users by id and by lower-cased email. */
export class UserStore {
  #byId = new Map<string, AuthUser>();
  #byEmail = new Map<string, AuthUser>();

  /** Adds (or replaces) a user; the password is hashed, never kept. */
  async add(spec: AuthUserSpec, now: Date): Promise<AuthUser> {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const id = spec.id ?? crypto.randomUUID();
    const email = spec.email.trim().toLowerCase();
    const user: AuthUser = {
      id,
      email,
      appMetadata: {
        provider: "email",
        providers: ["email"],
        ...(spec.claims === undefined ? {} : { claims: { ...spec.claims } }),
      },
      userMetadata: { email, email_verified: true, phone_verified: false, sub: id },
      createdAt: now,
      lastSignInAt: null,
      passwordHash: { salt, hash: await pbkdf2(spec.password, salt) },
    };
    this.#byId.set(id, user);
    this.#byEmail.set(email, user);
    return user;
  }

  /** The user by id, or undefined. */
  byId(id: string): AuthUser | undefined {
    return this.#byId.get(id);
  }

  /**
   * The user whose email and password match, or null. A missing user costs a
   * hash too, so timing does not tell which emails exist.
   */
  async authenticate(email: string, password: string): Promise<AuthUser | null> {
    const user = this.#byEmail.get(email.trim().toLowerCase());
    const salt = user?.passwordHash.salt ?? new Uint8Array(16);
    const hash = await pbkdf2(password, salt);
    if (user === undefined) return null;
    return timingSafeEqual(Buffer.from(hash), Buffer.from(user.passwordHash.hash)) ? user : null;
  }
}

/** GoTrue's user JSON (models.User), as `GET /user` and the session's `user` carry it. */
export function userJson(user: AuthUser): Record<string, unknown> {
  const created = user.createdAt.toISOString();
  return {
    id: user.id,
    aud: "authenticated",
    role: "authenticated",
    email: user.email,
    email_confirmed_at: created,
    phone: "",
    confirmed_at: created,
    last_sign_in_at: user.lastSignInAt?.toISOString() ?? null,
    app_metadata: user.appMetadata,
    user_metadata: user.userMetadata,
    identities: [],
    created_at: created,
    updated_at: (user.lastSignInAt ?? user.createdAt).toISOString(),
    is_anonymous: false,
  };
}
