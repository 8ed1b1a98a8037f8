/**
 * Secret material of the guard, kept behind private fields so that printing or
 * serialising a config can never reveal it. Keys and secrets are compared in
 * constant time; the HMAC secret is imported once as a non-extractable CryptoKey.
 *
 * No `node:crypto` here: importing it costs ~20 ms of cold start per isolate.
 */

/**
 * Constant-time string equality: no early exit and no branch on the characters.
 * The loop runs over the presented value, so its time depends only on what the
 * caller sent, never on the secret; a length difference is folded into the result.
 */
export function constantTimeEqual(presented: string, expected: string): boolean {
  let diff = presented.length ^ expected.length;
  for (let i = 0; i < presented.length; i++) {
    // Past the end of `expected`, charCodeAt gives NaN and `NaN | 0` is 0.
    diff |= presented.charCodeAt(i) ^ (expected.charCodeAt(i) | 0);
  }
  return diff === 0;
}

// Visits every configured value, so timing does not reveal which one matched.
function matchesAny(presented: string, values: readonly string[]): boolean {
  let found = 0;
  for (const v of values) found |= constantTimeEqual(presented, v) ? 1 : 0;
  return found === 1;
}

/** What a presented API key is. */
export type KeyKind = "service" | "non_service" | null;

/** Raw values handed to {@linkcode AuthSecrets}. */
export interface SecretValues {
  serviceKeys: readonly string[];
  nonServiceKeys: readonly string[];
  cronSecret: string | null;
  jwtSecret: string | null;
}

/** Opaque holder of the guard's secrets. Serialises and prints as `[redacted]`. */
export class AuthSecrets {
  readonly #service: readonly string[];
  readonly #nonService: readonly string[];
  readonly #keyLengths: ReadonlySet<number>;
  readonly #cron: string | null;
  readonly #hmacSecret: Uint8Array<ArrayBuffer> | null;
  #hmacKey: Promise<CryptoKey> | undefined;

  constructor(values: SecretValues) {
    this.#service = [...values.serviceKeys];
    this.#nonService = [...values.nonServiceKeys];
    this.#keyLengths = new Set(
      [...values.serviceKeys, ...values.nonServiceKeys].map((k) => k.length),
    );
    this.#cron = values.cronSecret;
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
   * key, or neither? Compares against every configured key.
   */
  classifyKey(presented: string): KeyKind {
    // Only key lengths are public knowledge (fixed formats); skipping the compare
    // for a length no configured key has spares it for every user JWT.
    if (!this.#keyLengths.has(presented.length)) return null;
    const service = matchesAny(presented, this.#service);
    const nonService = matchesAny(presented, this.#nonService);
    return service ? "service" : nonService ? "non_service" : null;
  }

  /** Constant-time: does `presented` match CRON_SECRET? False when it is not configured. */
  matchesCron(presented: string): boolean {
    return this.#cron !== null && constantTimeEqual(presented, this.#cron);
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
