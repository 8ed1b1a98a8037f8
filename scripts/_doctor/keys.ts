/**
 * Recognises Supabase API keys without verifying them: a legacy JWT key
 * (`eyJ...`, whose payload names its `role`), a new `sb_secret_` or
 * `sb_publishable_` key. Results describe a key by kind and role only; the
 * value never leaves this module.
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** The kind of a key value. */
export type KeyKind = "jwt" | "sb_secret" | "sb_publishable" | "unknown";

/** What can be said about a key without printing it. */
export interface KeyInfo {
  kind: KeyKind;
  /** The JWT `role` claim (`anon`, `service_role`, ...), when readable and plain. */
  role?: string;
  /** The JWT `exp` claim, in seconds since the epoch. */
  exp?: number;
}

const JWT = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function jwtPayload(token: string): Record<string, unknown> | null {
  try {
    const b64 = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const payload: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return payload !== null && typeof payload === "object" && !Array.isArray(payload)
      ? payload as Record<string, unknown>
      : null;
  } catch {
    return null;
  }
}

/**
 * Classifies a key (an optional `Bearer ` prefix is ignored). A JWT's payload
 * is decoded without verifying the signature.
 *
 * @example
 * classifyKey(anonKey); // { kind: "jwt", role: "anon", exp: 4102444800 }
 * classifyKey("sb_secret_abc"); // { kind: "sb_secret" }
 */
export function classifyKey(value: string): KeyInfo {
  const v = value.trim().replace(/^Bearer\s+/i, "");
  if (v.startsWith("sb_secret_")) return { kind: "sb_secret" };
  if (v.startsWith("sb_publishable_")) return { kind: "sb_publishable" };
  if (!v.startsWith("eyJ")) return { kind: "unknown" };
  const payload = JWT.test(v) ? jwtPayload(v) : null;
  const role = payload?.role;
  const exp = payload?.exp;
  return {
    kind: "jwt",
    // The role is printed, so only a plain short word is kept.
    ...(typeof role === "string" && /^[A-Za-z0-9_-]{1,40}$/.test(role) ? { role } : {}),
    ...(typeof exp === "number" ? { exp } : {}),
  };
}

/**
 * A printable description of a key: its kind marker and role, never the value.
 *
 * @example
 * describeKey({ kind: "jwt", role: "anon" }); // 'a JWT (eyJ…) with role "anon"'
 */
export function describeKey(info: KeyInfo): string {
  switch (info.kind) {
    case "jwt":
      return info.role === undefined
        ? "a JWT (eyJ…) without a readable role"
        : `a JWT (eyJ…) with role "${info.role}"`;
    case "sb_secret":
      return "a secret key (sb_secret_…)";
    case "sb_publishable":
      return "a publishable key (sb_publishable_…)";
    default:
      return "a value that is neither a JWT nor an sb_ key";
  }
}

/**
 * True for the anon / publishable keys: never accepted as the service role.
 *
 * @example
 * isPublicKey(classifyKey(anonKey)); // true
 */
export function isPublicKey(info: KeyInfo): boolean {
  return info.kind === "sb_publishable" || (info.kind === "jwt" && info.role === "anon");
}

/**
 * Every literal key inside a SQL command (a cron job), classified.
 *
 * @example
 * literalKeys(`... 'Bearer eyJhbGciOi...' ...`); // [{ kind: "jwt", role: "anon" }]
 */
export function literalKeys(command: string): KeyInfo[] {
  const found = command.match(/eyJ[A-Za-z0-9_-]{10,}(\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)?/g) ?? [];
  const sb = command.match(/sb_(secret|publishable)_[A-Za-z0-9_-]+/g) ?? [];
  return [...found, ...sb].map(classifyKey);
}

const digest = (v: string) => createHash("sha256").update(v).digest();

/**
 * Compares two secrets in constant time (over their SHA-256 digests).
 *
 * @example
 * sameSecret(vaultKey, env.SUPABASE_SERVICE_ROLE_KEY); // true or false
 */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}
