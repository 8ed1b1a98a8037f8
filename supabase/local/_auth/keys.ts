/**
 * Signing keys for the local Supabase Auth, in the form its `GOTRUE_JWT_KEYS`
 * takes (supabase/auth `internal/conf/jwk.go`, JwtKeysDecoder): a JSON array
 * of private JWKs; the one whose `key_ops` holds `sign` signs, the others only
 * verify. The legacy JWT secret goes in as an `oct` HS256 key with `key_ops`
 * `["verify"]`, so HS256 tokens (the legacy anon / service_role keys) keep
 * verifying, as on a hosted project that moved to asymmetric keys; Auth never
 * publishes an `oct` key (`internal/api/jwks.go`). Internal: use `../auth.ts`.
 */
import { Buffer } from "node:buffer";
import { exportJWK, generateKeyPair, type JWK } from "jose";

/** A private ES256 JWK as Auth takes it (`kid`, `alg`, `use`, `key_ops`). */
export type SigningJwk = JWK & { kid: string; alg: "ES256" };

/**
 * A fresh P-256 key for ES256 signing, as a hosted project's current key.
 *
 * @param kid key id. Default: a random UUID (hosted keys have UUID ids).
 */
export async function generateSigningKey(kid: string = crypto.randomUUID()): Promise<SigningJwk> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: "ES256", use: "sig" };
}

/** The public half of a signing key, as `/.well-known/jwks.json` and `SUPABASE_JWKS` carry it. */
export function publicJwk(key: SigningJwk): JWK {
  const { d: _d, key_ops: _ops, ...rest } = key;
  return { ...rest, key_ops: ["verify"] };
}

/**
 * `GOTRUE_JWT_KEYS`: the keys in order, the first signing and the rest
 * verify-only, then the legacy secret as a verify-only HS256 key. With no
 * keys, null: Auth then signs HS256 with `GOTRUE_JWT_SECRET` (legacy mode).
 */
export function gotrueJwtKeys(keys: readonly SigningJwk[], jwtSecret: string): string | null {
  if (keys.length === 0) return null;
  const jwks: JWK[] = keys.map((k, i) => ({
    ...k,
    key_ops: i === 0 ? ["sign", "verify"] : ["verify"],
  }));
  jwks.push({
    kty: "oct",
    k: Buffer.from(jwtSecret).toString("base64url"),
    alg: "HS256",
    key_ops: ["verify"],
  });
  return JSON.stringify(jwks);
}
