/**
 * Secret material of the guard, kept behind private fields so that printing or
 * serialising a config can never reveal it. Keys and secrets are stored only
 * as SHA-256 digests and compared in constant time; the HMAC secret is held as
 * bytes and imported once as a non-extractable CryptoKey.
 */
import { createHash } from "node:crypto";

/** SHA-256 of a presented or configured credential. Digests have a fixed length, so comparing them leaks no length. */
export function digest(value: string): Uint8Array {
  return createHash("sha256").update(value).digest();
}

/**
 * Constant-time equality of two SHA-256 digests: no early exit, no branch on the
 * bytes. (node:crypto's timingSafeEqual gives the same guarantee but costs ~1 µs
 * per call through the Node compatibility layer; this is ~20x cheaper.)
 */
export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false; // both are always 32 bytes
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

// Visits every configured digest, so timing does not reveal which one matched.
function matchesAny(candidate: Uint8Array, digests: readonly Uint8Array[]): boolean {
  let found = 0;
  for (const d of digests) found |= digestsEqual(candidate, d) ? 1 : 0;
  return found === 1;
}

/** What a presented API key is. */
export type KeyKind = "service" | "non_service" | null;

/** Raw values handed to {@linkcode AuthSecrets}; they are digested and dropped. */
export interface SecretValues {
  serviceKeys: readonly string[];
  nonServiceKeys: readonly string[];
  cronSecret: string | null;
  jwtSecret: string | null;
}

/** Opaque holder of the guard's secrets. Serialises and prints as `[redacted]`. */
export class AuthSecrets {
  readonly #service: readonly Uint8Array[];
  readonly #nonService: readonly Uint8Array[];
  readonly #keyLengths: ReadonlySet<number>;
  readonly #cron: Uint8Array | null;
  readonly #hmacSecret: Uint8Array<ArrayBuffer> | null;
  #hmacKey: Promise<CryptoKey> | undefined;

  constructor(values: SecretValues) {
    this.#service = values.serviceKeys.map(digest);
    this.#nonService = values.nonServiceKeys.map(digest);
    this.#keyLengths = new Set(
      [...values.serviceKeys, ...values.nonServiceKeys].map((k) => k.length),
    );
    this.#cron = values.cronSecret === null ? null : digest(values.cronSecret);
    this.#hmacSecret = values.jwtSecret === null
      ? null
      : new TextEncoder().encode(values.jwtSecret);
  }

  /** True when at least one service key is configured. */
  get hasServiceKeys(): boolean {
    return this.#service.length > 0;
  }

  /** True when CRON_SECRET is configured. */
  get hasCronSecret(): boolean {
    return this.#cron !== null;
  }

  /** True when JWT_SECRET is configured (HS256 user tokens can be verified). */
  get hasHmacSecret(): boolean {
    return this.#hmacSecret !== null;
  }

  /**
   * Constant-time: is `presented` a service key, the anon key / a publishable
   * key, or neither? Hashes once and compares against every configured digest.
   */
  classifyKey(presented: string): KeyKind {
    // Only key lengths are public knowledge (fixed formats); skipping the hash for
    // a length no configured key has spares hashing every user JWT.
    if (!this.#keyLengths.has(presented.length)) return null;
    const d = digest(presented);
    const service = matchesAny(d, this.#service);
    const nonService = matchesAny(d, this.#nonService);
    return service ? "service" : nonService ? "non_service" : null;
  }

  /** Constant-time: does `presented` match CRON_SECRET? False when it is not configured. */
  matchesCron(presented: string): boolean {
    return this.#cron !== null && digestsEqual(digest(presented), this.#cron);
  }

  /** The HS256 verification key, imported once and cached; null without JWT_SECRET. */
  hmacKey(): Promise<CryptoKey> | null {
    if (this.#hmacSecret === null) return null;
    this.#hmacKey ??= crypto.subtle.importKey(
      "raw",
      this.#hmacSecret,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    return this.#hmacKey;
  }

  toJSON(): string {
    return "[redacted]";
  }

  [Symbol.for("Deno.customInspect")](): string {
    return "AuthSecrets [redacted]";
  }
}
