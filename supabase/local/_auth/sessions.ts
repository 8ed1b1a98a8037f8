/**
 * Sessions and rotating refresh tokens, following GoTrue's refresh token
 * grant (supabase/auth `internal/tokens/service.go`, RefreshTokenGrant):
 * every refresh revokes the token it used and issues its child; a revoked
 * token presented again within the reuse interval (GOTRUE_SECURITY_REFRESH_
 * TOKEN_REUSE_INTERVAL, default 10 s) gets the session's current token back,
 * later it is treated as stolen and the whole session is revoked. Logout
 * deletes sessions with their tokens (`internal/api/logout.go`).
 * Internal: use `../auth.ts`.
 */
import { randomToken } from "../keys.ts";

/** One sign-in. */
export interface Session {
  id: string;
  userId: string;
  createdAt: Date;
}

interface RefreshToken {
  sessionId: string;
  revokedAt: Date | null;
  /** The token issued when this one was used. */
  child: string | null;
}

/** What a refresh attempt found: the session and the token to hand out, or GoTrue's error. */
export type RefreshOutcome =
  | { ok: true; session: Session; refreshToken: string }
  | { ok: false; code: "refresh_token_not_found" | "refresh_token_already_used"; msg: string };

/** Sessions and refresh tokens of the stand-in, in memory. */
export class SessionStore {
  #sessions = new Map<string, Session>();
  #tokens = new Map<string, RefreshToken>();
  #reuseMs: number;

  constructor(reuseIntervalSeconds: number) {
    this.#reuseMs = reuseIntervalSeconds * 1000;
  }

  /** A new session and its first refresh token. */
  start(userId: string, now: Date): { session: Session; refreshToken: string } {
    const session = { id: crypto.randomUUID(), userId, createdAt: now };
    this.#sessions.set(session.id, session);
    return { session, refreshToken: this.#issue(session.id) };
  }

  /** The session by id, or undefined once logged out or revoked. */
  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  /** Uses a refresh token: rotates it, or answers as GoTrue does for a bad one. */
  refresh(token: string, now: Date): RefreshOutcome {
    const found = this.#tokens.get(token);
    const session = found && this.#sessions.get(found.sessionId);
    if (!found || !session) {
      return {
        ok: false,
        code: "refresh_token_not_found",
        msg: "Invalid Refresh Token: Refresh Token Not Found",
      };
    }
    if (found.revokedAt === null) {
      found.revokedAt = now;
      found.child = this.#issue(session.id);
      return { ok: true, session, refreshToken: found.child };
    }
    const active = this.#activeDescendant(found);
    if (active !== null && now.getTime() - found.revokedAt.getTime() <= this.#reuseMs) {
      return { ok: true, session, refreshToken: active };
    }
    this.#end((s) => s.id === session.id);
    return {
      ok: false,
      code: "refresh_token_already_used",
      msg: "Invalid Refresh Token: Already Used",
    };
  }

  /** Logout: `global` ends every session of the user, `local` this one, `others` all but this one. */
  logout(userId: string, sessionId: string | null, scope: "global" | "local" | "others"): void {
    if (scope === "local") this.#end((s) => s.id === sessionId);
    else if (scope === "others") this.#end((s) => s.userId === userId && s.id !== sessionId);
    else this.#end((s) => s.userId === userId);
  }

  #issue(sessionId: string): string {
    const token = randomToken(16);
    this.#tokens.set(token, { sessionId, revokedAt: null, child: null });
    return token;
  }

  #activeDescendant(token: RefreshToken): string | null {
    let name = token.child;
    while (name !== null) {
      const next = this.#tokens.get(name);
      if (next === undefined) return null;
      if (next.revokedAt === null) return name;
      name = next.child;
    }
    return null;
  }

  #end(match: (s: Session) => boolean): void {
    const ended = new Set([...this.#sessions.values()].filter(match).map((s) => s.id));
    for (const id of ended) this.#sessions.delete(id);
    for (const [name, t] of this.#tokens) if (ended.has(t.sessionId)) this.#tokens.delete(name);
  }
}
