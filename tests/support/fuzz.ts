/**
 * Deterministic fuzzing of the auth guard: a seeded PRNG (mulberry32) and
 * generators of malformed requests. The same seed always yields the same
 * sequence of mutations; the secrets they start from come from tokens.ts.
 *
 * Every generated request must be refused (401/403). A generator may re-sign a
 * mutated token with the real project secret only when the mutation alone makes
 * it invalid (an algorithm the guard refuses, `crit`, an expired or foreign
 * claim...); otherwise the original signature is kept, so it no longer matches.
 * Header values are ByteStrings, so raw Unicode goes into JSON segments, bodies
 * and query strings; header values get Latin-1 at most.
 */
import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";
import {
  createEs256Key,
  createRs256Key,
  mintAdminToken,
  type SigningKey,
  TEST_ANON_KEY,
  TEST_CRON_SECRET,
  TEST_ISSUER,
  TEST_JWT_SECRET,
  TEST_PUBLISHABLE_KEY,
  TEST_SECRET_KEY,
  TEST_SERVICE_ROLE_KEY,
} from "./tokens.ts";

/** mulberry32: a tiny, fast, seedable 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Seeded random helpers. */
export class Rng {
  readonly #next: () => number;
  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.#next() * n);
  }
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.#next() < p;
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }
  /** Text a header value may hold: tab, printable ASCII and Latin-1 (no NUL, CR, LF). */
  headerText(n: number): string {
    return String.fromCharCode(...Array.from({ length: n }, () => {
      const c = this.int(0xff - 0x20 + 2);
      return c === 0 ? 0x09 : c + 0x1f === 0x7f ? 0x41 : c + 0x1f;
    }));
  }
  /** Any Unicode, astral characters and lone surrogates included. */
  unicodeText(n: number): string {
    let out = "";
    for (let i = 0; i < n; i++) {
      const kind = this.int(4);
      const cp = kind === 0
        ? this.int(0x80)
        : kind === 1
        ? this.int(0x800)
        : kind === 2
        ? this.int(0x10000)
        : 0x10000 + this.int(0x100000);
      out += String.fromCodePoint(cp);
    }
    return out;
  }
  b64url(n: number): string {
    return Array.from({ length: n }, () => B64URL[this.int(64)]).join("");
  }
}

export const b64u = (data: string | Uint8Array): string => Buffer.from(data).toString("base64url");
const fromB64u = (segment: string): string => Buffer.from(segment, "base64url").toString();
const enc = (value: unknown): string => b64u(JSON.stringify(value));

/** HMAC-signs `header.payload` (raw segments) with `secret`; `bits` picks HS256/384/512. */
export function hmacSign(input: string, secret: string | Uint8Array, bits = 256): string {
  return createHmac(`sha${bits}`, secret).update(input).digest("base64url");
}

/** What the generators start from: valid credentials and the project secret. */
export interface FuzzContext {
  /** A valid HS256 admin token of `orgId`, its header and claims. */
  hsToken: string;
  hsHeader: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** Valid ES256 / RS256 admin tokens of `orgId` (keys in the guard's inline JWKS). */
  esToken: string;
  rsToken: string;
  esKid: string;
  /** PEM and JWK JSON forms of the ES256 public key (alg-confusion secrets). */
  publicKeyForms: string[];
  jwtSecret: string;
  serviceKeys: string[];
  anonKey: string;
  publishableKey: string;
  cronSecret: string;
  orgId: string;
  otherOrgId: string;
  /** The verification clock, in seconds (the tokens are valid at this instant). */
  now: number;
}

/** The PEM (SPKI) form of a public key, as an attacker would find it published. */
export async function publicKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey("spki", key)).toString("base64");
  const lines = der.match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join("\n")}\n-----END PUBLIC KEY-----\n`;
}

/** The public key forms an alg-confusion attacker would try as an HMAC secret. */
export async function publicKeyForms(key: SigningKey): Promise<string[]> {
  const pem = await publicKeyPem(key.publicKey);
  const { kid: _kid, alg: _alg, use: _use, ...bare } = key.publicJwk;
  return [
    pem,
    pem.trim(),
    JSON.stringify(key.publicJwk),
    JSON.stringify(bare),
    JSON.stringify(key.jwks),
  ];
}

/**
 * Valid credentials to mutate: HS256, ES256 and RS256 admin tokens of `orgId`
 * valid at `now` (seconds), plus the keys the guard's config must publish.
 */
export async function createFuzzContext(orgId: string, otherOrgId: string, now: number) {
  const es = await createEs256Key("fuzz-es256");
  const rs = await createRs256Key("fuzz-rs256");
  const hsHeader = { alg: "HS256", typ: "JWT" };
  const claims: Record<string, unknown> = {
    iss: TEST_ISSUER,
    aud: "authenticated",
    sub: "5b0f0a9e-3c1d-4e2f-8a7b-6c5d4e3f2a1b",
    exp: now + 3600,
    iat: now - 60,
    email: "fuzz@example.test",
    phone: "",
    app_metadata: {
      provider: "email",
      claims: { integration_admin: true, organization_id: orgId },
    },
    user_metadata: {},
    role: "authenticated",
    aal: "aal1",
    session_id: "6c1f0b8e-4d2e-4f3a-9b8c-7d6e5f4a3b2c",
    is_anonymous: false,
  };
  const input = `${enc(hsHeader)}.${enc(claims)}`;
  const timing = { iat: now - 60, exp: now + 3600 };
  const ctx: FuzzContext = {
    hsToken: `${input}.${hmacSign(input, TEST_JWT_SECRET)}`,
    hsHeader,
    claims,
    esToken: await mintAdminToken(orgId, {
      ...timing,
      alg: "ES256",
      privateKey: es.privateKey,
      kid: es.kid,
    }),
    rsToken: await mintAdminToken(orgId, {
      ...timing,
      alg: "RS256",
      privateKey: rs.privateKey,
      kid: rs.kid,
    }),
    esKid: es.kid,
    publicKeyForms: [...(await publicKeyForms(es)), ...(await publicKeyForms(rs))],
    jwtSecret: TEST_JWT_SECRET,
    serviceKeys: [TEST_SECRET_KEY, TEST_SERVICE_ROLE_KEY],
    anonKey: TEST_ANON_KEY,
    publishableKey: TEST_PUBLISHABLE_KEY,
    cronSecret: TEST_CRON_SECRET,
    orgId,
    otherOrgId,
    now,
  };
  return { ctx, jwks: { keys: [es.publicJwk, rs.publicJwk] } };
}

/** One generated request. */
export interface FuzzInput {
  family: string;
  headers: [string, string][];
  query: [string, string][];
  body?: string;
}

/** Builds the Request for an input (duplicated headers are appended, so they combine). */
export function toRequest(input: FuzzInput): Request {
  const url = new URL("http://localhost:54321/functions/v1/fuzz");
  url.search = new URLSearchParams(input.query).toString(); // one serialisation, not one per pair
  const headers = new Headers();
  for (const [k, v] of input.headers) headers.append(k, v);
  const method = input.body === undefined ? "GET" : "POST";
  return new Request(url, { method, headers, body: input.body });
}

type Gen = (rng: Rng, ctx: FuzzContext) => FuzzInput;

const bearer = (family: string, token: string, more: Partial<FuzzInput> = {}): FuzzInput => ({
  family,
  headers: [["Authorization", `Bearer ${token}`], ...(more.headers ?? [])],
  query: more.query ?? [],
  body: more.body,
});

const validTokens = (ctx: FuzzContext) => [ctx.hsToken, ctx.esToken, ctx.rsToken];

/** Nested arrays or objects, `depth` deep. */
export function jsonBomb(depth: number, kind: "array" | "object"): string {
  return kind === "array"
    ? "[".repeat(depth) + "]".repeat(depth)
    : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

/** Replaces the character at `pos` by a different base64url character. */
function flipAt(s: string, pos: number, rng: Rng): string {
  let c = rng.pick([...B64URL]);
  if (c === s[pos]) c = c === "A" ? "B" : "A";
  return s.slice(0, pos) + c + s.slice(pos + 1);
}

// Re-signs a token whose header or claims the guard must refuse.
function signedHs(ctx: FuzzContext, header: Record<string, unknown>, claims: unknown, bits = 256) {
  const input = `${enc(header)}.${enc(claims)}`;
  return `${input}.${hmacSign(input, ctx.jwtSecret, bits)}`;
}

// Changes the header; the old signature stays (so it no longer verifies).
function withHeader(token: string, header: unknown): string {
  const [, payload, sig] = token.split(".");
  return `${typeof header === "string" ? b64u(header) : enc(header)}.${payload}.${sig}`;
}

// deno-fmt-ignore
const ALGS: unknown[] = [
  "none", "None", "NONE", "nOnE", "", "HS384", "HS512", "hs256", "Hs256", "HS256 ", " HS256",
  "HS256\u0000", "HS 256", "\uff28\uff33256", "ES256", "RS256", "PS256", "RS512", "ES384",
  "ES512", "EdDSA", "ES256K", "dir", "A256KW", "RSA-OAEP", "HS1", "HS2560", null, 256, true,
  [], ["HS256"], { alg: "HS256" },
];

// Kids the guard refuses whatever the signature.
// deno-fmt-ignore
const KIDS: unknown[] = [
  "", 0, -1, 1.5, 1e308, null, true, false, [], {}, ["k"], { $ne: null }, "x".repeat(257),
  "x".repeat(900),
];

// String kids: refused only because the signature no longer matches.
// deno-fmt-ignore
const ODD_KIDS = [
  " ", "\u0000", "../../../../dev/null", "' OR '1'='1", "${jndi:ldap://x/a}", "%00", "\u{1f511}",
  "\uff2b\uff25\uff39", "key-1\u202e", "\ud800",
];

/** Claim edits that make a validly signed token unacceptable (401, or 403 without rights). */
function claimEdits(ctx: FuzzContext, now: number, rng: Rng) {
  const iss = String(ctx.claims.iss);
  const admin = { integration_admin: true, organization_id: ctx.orgId };
  const bomb = JSON.parse(jsonBomb(rng.range(1, 1500), rng.pick(["array", "object"] as const)));
  // deno-fmt-ignore
  const edits: Record<string, unknown>[] = [
    { exp: now - 1 }, { exp: String(now + 3600) }, { exp: null }, { exp: undefined },
    { exp: bomb }, { nbf: now + 3600 }, { nbf: "soon" }, { iat: "x" }, { iat: undefined },
    { iss: `${iss}/` }, { iss: iss.toUpperCase() }, { iss: "https://evil.example/auth/v1" },
    { iss: "" }, { iss: null }, { iss: [iss] }, { iss: undefined }, { aud: "anon" },
    { aud: "authenticated " }, { aud: ["anon"] }, { aud: [] }, { aud: "" }, { aud: 1 },
    { aud: undefined }, { role: "service_role" }, { role: "anon" }, { role: "Authenticated" },
    { role: "" }, { role: ["authenticated"] }, { role: undefined }, { sub: "" }, { sub: null },
    { sub: 0 }, { sub: bomb }, { sub: undefined }, { app_metadata: {} },
    { app_metadata: { claims: { ...admin, integration_admin: "true" } } },
    { app_metadata: { claims: { ...admin, integration_admin: 1 } } },
    { app_metadata: { claims: { integration_admin: true } } },
    { app_metadata: { claims: { ...admin, organization_id: "" } } },
    { app_metadata: { claims: { ...admin, organization_id: 5 } } },
    { app_metadata: { provider: "email" }, user_metadata: { claims: admin } },
    { app_metadata: bomb }, { app_metadata: [admin] }, { app_metadata: { claims: [admin] } },
    { app_metadata: null }, { app_metadata: JSON.parse(`{"__proto__":{"claims":${JSON.stringify(admin)}}}`) },
  ];
  return edits;
}

function editedClaims(ctx: FuzzContext, edit: Record<string, unknown>) {
  const claims: Record<string, unknown> = { ...ctx.claims };
  for (const [k, v] of Object.entries(edit)) {
    if (v === undefined) delete claims[k];
    else claims[k] = v;
  }
  return claims;
}

const FAMILIES: Record<string, Gen> = {
  random_bytes: (rng) => bearer("random_bytes", rng.headerText(rng.range(1, 400))),
  random_authorization: (rng) => ({
    family: "random_authorization",
    headers: [["Authorization", rng.headerText(rng.range(1, 300))]],
    query: [],
  }),
  random_segments: (rng) =>
    bearer(
      "random_segments",
      [0, 1, 2].map(() => b64u(rng.bytes(rng.range(0, 200)))).join("."),
    ),
  random_claims_signed: (rng, ctx) => {
    const header = { alg: "HS256", [rng.b64url(3)]: rng.unicodeText(rng.range(0, 20)) };
    const claims = { [rng.b64url(4)]: rng.unicodeText(rng.range(0, 40)), n: rng.int(1e9) };
    return bearer("random_claims_signed", signedHs(ctx, header, claims));
  },
  truncated: (rng, ctx) => {
    const t = rng.pick(validTokens(ctx));
    return bearer("truncated", t.slice(0, rng.int(t.length)));
  },
  reencoded: (rng, ctx) => {
    const parts = rng.pick(validTokens(ctx)).split(".");
    const i = rng.int(3);
    const std = Buffer.from(parts[i], "base64url").toString("base64");
    // The same bytes spelled otherwise: standard alphabet, '=' padding, percent-encoding.
    // On the signature these decode to the very same bytes in jose: only the guard's
    // canonical-encoding check refuses them.
    const variants = [std, `${std}=`, `${parts[i]}=`, `${parts[i]}==`, encodeURIComponent(std)];
    if (i === 1) variants.push(b64u(JSON.stringify(JSON.parse(fromB64u(parts[1])), null, 1)));
    parts[i] = rng.pick(variants.filter((v) => v !== parts[i]));
    return bearer("reencoded", parts.join("."));
  },
  char_flip: (rng, ctx) => {
    const token = rng.pick(validTokens(ctx));
    const parts = token.split(".");
    // Flips may undo each other: keep going until the token differs.
    for (let n = rng.range(1, 3); n > 0 || parts.join(".") === token; n--) {
      // A flip in a segment's last character may change only its spare bits (same
      // bytes once decoded): refused for not being canonical base64url.
      const i = rng.int(3);
      parts[i] = flipAt(parts[i], rng.int(parts[i].length), rng);
    }
    return bearer("char_flip", parts.join("."));
  },
  swapped_segments: (rng, ctx) => {
    const [h, p, s] = ctx.hsToken.split(".");
    const [eh, ep, es] = ctx.esToken.split(".");
    // deno-fmt-ignore
    return bearer("swapped_segments", rng.pick([
      `${p}.${h}.${s}`, `${h}.${s}.${p}`, `${s}.${p}.${h}`, `${h}.${p}.${es}`, `${eh}.${ep}.${s}`,
      `${h}.${ep}.${es}`, `${eh}.${p}.${s}`, `${h}.${p}`, `${h}.${p}.${s}.${s}`,
      `${h}.${p}.${s}.${h}.${p}`, `${h}..${s}`, `.${p}.${s}`, `${h}.${p}.`, "..", ".",
      `${ctx.hsToken}${ctx.esToken}`, `${ctx.hsToken}.${ctx.esToken}`, [s, p, h].join("."),
    ]));
  },
  swapped_headers: (rng, ctx) => {
    const tok = rng.pick(validTokens(ctx));
    const sk = rng.pick(ctx.serviceKeys);
    // deno-fmt-ignore
    const headers: [string, string][][] = [
      [["apikey", tok]], [["x-cron-secret", tok]], [["x-cron-secret", sk]],
      [["Authorization", `Bearer ${ctx.cronSecret}`]], [["apikey", ctx.cronSecret]],
      [["apikey", ctx.anonKey]], [["apikey", ctx.publishableKey]],
      [["Authorization", `Bearer ${ctx.anonKey}`]], [["Authorization", `Bearer ${ctx.publishableKey}`]],
      [["Authorization", `Basic ${sk}`]], [["Authorization", `Token ${tok}`]], [["Authorization", tok]],
      [["Authorization", sk]], [["Cookie", `sb-access-token=${tok}`]], [["X-Authorization", `Bearer ${tok}`]],
      [["Proxy-Authorization", `Bearer ${tok}`]], [["apikey", ctx.anonKey], ["Authorization", `Bearer ${ctx.anonKey}`]],
    ];
    return { family: "swapped_headers", headers: rng.pick(headers), query: [] };
  },
  alg_mutation: (rng, ctx) => {
    const alg = rng.pick(ALGS);
    const header = { ...ctx.hsHeader, alg };
    const bits = alg === "HS384" ? 384 : alg === "HS512" ? 512 : 256;
    const token = rng.chance(0.5)
      ? signedHs(ctx, header, ctx.claims, bits)
      : withHeader(rng.pick([ctx.hsToken, ctx.esToken]), header);
    return bearer("alg_mutation", rng.chance(0.2) ? token.replace(/[^.]+$/, "") : token);
  },
  kid_mutation: (rng, ctx) => {
    if (rng.chance(0.5)) {
      const header = { ...ctx.hsHeader, kid: rng.pick(KIDS) };
      return bearer("kid_mutation", signedHs(ctx, header, ctx.claims));
    }
    const base = rng.pick(validTokens(ctx));
    const header = JSON.parse(fromB64u(base.split(".")[0]));
    const kid = rng.pick([...ODD_KIDS, `${ctx.esKid} `, ctx.esKid.toUpperCase(), ...KIDS]);
    return bearer("kid_mutation", withHeader(base, { ...header, kid }));
  },
  header_params: (rng, ctx) => {
    // deno-fmt-ignore
    const refused = [
      { crit: ["exp"] }, { crit: [] }, { jku: "http://127.0.0.1:9/jwks.json" }, { jwk: { kty: "oct", k: "AA" } },
      { x5u: "http://127.0.0.1:9/x5u" }, { x5c: ["MIIB"] }, { b64: false, crit: ["b64"] },
    ];
    const other = [{ zip: "DEF" }, { cty: "JWT" }, { typ: "at+jwt" }, { typ: 1 }, { enc: "dir" }];
    if (rng.chance(0.5)) {
      return bearer(
        "header_params",
        signedHs(ctx, { ...ctx.hsHeader, ...rng.pick(refused) }, ctx.claims),
      );
    }
    return bearer(
      "header_params",
      withHeader(ctx.hsToken, { ...ctx.hsHeader, ...rng.pick(other) }),
    );
  },
  claims_signed: (rng, ctx) => {
    const edit = rng.pick(claimEdits(ctx, ctx.now, rng));
    return bearer("claims_signed", signedHs(ctx, ctx.hsHeader, editedClaims(ctx, edit)));
  },
  foreign_org_signed: (rng, ctx) => {
    const claims = editedClaims(ctx, {
      app_metadata: { claims: { integration_admin: true, organization_id: ctx.otherOrgId } },
    });
    const token = signedHs(ctx, ctx.hsHeader, claims);
    return rng.chance(0.5)
      ? bearer("foreign_org_signed", token, { query: [["org_id", ctx.orgId]] })
      : bearer("foreign_org_signed", token, { body: JSON.stringify({ org_id: ctx.orgId }) });
  },
  wrong_secret: (rng, ctx) => {
    // deno-fmt-ignore
    const secrets = [
      rng.b64url(40), ctx.anonKey, rng.pick(ctx.serviceKeys), ctx.cronSecret, ctx.publishableKey, "",
      `${ctx.jwtSecret}x`, ctx.jwtSecret.slice(0, -1), ctx.jwtSecret.toUpperCase(), ...ctx.publicKeyForms,
    ];
    const input = `${enc(ctx.hsHeader)}.${enc(ctx.claims)}`;
    return bearer("wrong_secret", `${input}.${hmacSign(input, rng.pick(secrets))}`);
  },
  huge: (rng, ctx) => {
    const big = (n: number) => rng.b64url(64).repeat(Math.ceil(n / 64)).slice(0, n);
    const padded = editedClaims(ctx, { pad: big(rng.range(8200, 12000)) });
    // deno-fmt-ignore
    const variants: FuzzInput[] = [
      bearer("huge", big(rng.range(8193, 70000))),
      bearer("huge", signedHs(ctx, ctx.hsHeader, padded)),
      bearer("huge", signedHs(ctx, { ...ctx.hsHeader, pad: big(rng.range(800, 5000)) }, ctx.claims)),
      bearer("huge", big(rng.range(1100, 8000))),
      { family: "huge", headers: [["apikey", big(rng.range(8193, 20000))]], query: [] },
      { family: "huge", headers: [["x-cron-secret", big(rng.range(8193, 20000))]], query: [] },
      { family: "huge", headers: [], query: [["org_id", big(rng.range(1000, 100000))]] },
      { family: "huge", headers: [], query: Array.from({ length: 1000 }, (_, i) => ["org_id", `o${i}`]) },
      bearer("huge", ctx.hsToken, { body: JSON.stringify({ org_id: ctx.orgId, pad: "x".repeat(1024 * 1024) }) }),
    ];
    return rng.pick(variants);
  },
  unicode: (rng, ctx) => {
    const u = rng.unicodeText(rng.range(1, 30));
    const [h, p, s] = ctx.hsToken.split(".");
    const latin = rng.pick(["\u00e9", "\u00a0", "\u00ff", "\u0085", "\u00ad"]);
    const pos = rng.int(h.length + p.length);
    const glyph = ctx.orgId.replace(/a/g, "\u0430").replace(/0/g, "\u0030\u0301");
    // deno-fmt-ignore
    const variants: FuzzInput[] = [
      bearer("unicode", withHeader(ctx.hsToken, { ...ctx.hsHeader, alg: u })),
      bearer("unicode", withHeader(ctx.hsToken, { ...ctx.hsHeader, [u]: u })),
      bearer("unicode", `${h}.${enc({ ...ctx.claims, sub: u })}.${s}`),
      bearer("unicode", withHeader(ctx.hsToken, `{"alg":"HS256","typ":"JWT","x":"${u}"}`)),
      bearer("unicode", `${h}.${p}.${s}`.replace(/./g, (c, i) => (i === pos ? latin : c))),
      { family: "unicode", headers: [["Authorization", `Bearer${latin}${ctx.hsToken}`]], query: [] },
      bearer("unicode", ctx.hsToken, { body: JSON.stringify({ org_id: glyph }) }),
      bearer("unicode", ctx.hsToken, { body: JSON.stringify({ org_id: `${ctx.orgId}${u}` }) }),
      bearer("unicode", ctx.hsToken, { query: [["org_id", `\u202e${ctx.orgId}`]] }),
      bearer("unicode", signedHs(ctx, ctx.hsHeader, editedClaims(ctx, { role: `authenticated${u}` }))),
    ];
    return rng.pick(variants);
  },
  duplicated_headers: (rng, ctx) => {
    const tok = rng.pick(validTokens(ctx));
    const bad = flipAt(tok, tok.indexOf(".") + 3, rng);
    const sk = rng.pick(ctx.serviceKeys);
    // deno-fmt-ignore
    const variants: [string, string][][] = [
      [["Authorization", `Bearer ${tok}`], ["authorization", `Bearer ${tok}`]],
      [["Authorization", `Bearer ${tok}`], ["AUTHORIZATION", `Bearer ${bad}`]],
      [["aUtHoRiZaTiOn", `Bearer ${bad}`]], [["Authorization", `BEARER ${bad}`]],
      [["Authorization", `bEaReR\t ${bad}`]], [["Authorization", `Bearer,${tok}`]],
      [["Authorization", `Bearer:${tok}`]], [["Authorization", `Bearer=${tok}`]],
      [["Authorization", `Bearer ${tok} ${tok}`]], [["Authorization", `Bearer "${tok}"`]],
      [["apikey", sk], ["APIKEY", sk]], [["x-cron-secret", ctx.cronSecret], ["X-Cron-Secret", ctx.cronSecret]],
      [["Authorization", `Bearer ${sk}`], ["Authorization", `Bearer ${sk}`]],
      [["x-cron-secret", `${ctx.cronSecret}x`]], [["x-cron-secret", `\u00a0${ctx.cronSecret}`]],
      [["Authorization", `Bearer ${sk.slice(0, -1)}`]], [["apikey", `${sk}A`]], [["apikey", sk.toUpperCase()]],
    ];
    return { family: "duplicated_headers", headers: rng.pick(variants), query: [] };
  },
  json_bomb_token: (rng, ctx) => {
    const depth = rng.range(10, 330);
    const kind = rng.pick(["array", "object"] as const);
    const variants = [
      withHeader(ctx.hsToken, `{"alg":"HS256","typ":"JWT","x":${jsonBomb(depth, kind)}}`),
      withHeader(ctx.hsToken, jsonBomb(depth, kind)),
      `${enc(ctx.hsHeader)}.${b64u(jsonBomb(rng.range(10, 2000), kind))}.${rng.b64url(43)}`,
      (() => {
        const input = `${enc(ctx.hsHeader)}.${b64u(jsonBomb(rng.range(10, 2000), kind))}`;
        return `${input}.${hmacSign(input, ctx.jwtSecret)}`;
      })(),
    ];
    return bearer("json_bomb_token", rng.pick(variants));
  },
  body_org: (rng, ctx) => {
    const bomb = jsonBomb(
      rng.chance(0.02) ? rng.range(100000, 400000) : rng.range(1, 5000),
      rng.pick(["array", "object"] as const),
    );
    const nonString = [
      bomb,
      "5",
      "true",
      `["${ctx.orgId}"]`,
      `{"$eq":"${ctx.orgId}"}`,
      "1e999",
      "-0",
    ];
    const admin = rng.chance(0.6);
    const raw = admin && rng.chance(0.3)
      ? `{"org_id":"${ctx.orgId}","org_id":"${ctx.otherOrgId}"}`
      : `{"org_id":${
        rng.pick(
          admin ? [...nonString, `"${ctx.otherOrgId}"`, `"${ctx.orgId.toUpperCase()}"`] : nonString,
        )
      }}`;
    // deno-fmt-ignore
    const type = rng.pick([
      "application/json", "text/plain", "application/x-www-form-urlencoded", "application/vnd.api+json",
      "APPLICATION/JSON; charset=utf-8", "",
    ]);
    // deno-fmt-ignore
    const auth: [string, string] = admin
      ? ["Authorization", `Bearer ${ctx.hsToken}`]
      : rng.pick<[string, string]>([["Authorization", `Bearer ${rng.pick(ctx.serviceKeys)}`], ["apikey", rng.pick(ctx.serviceKeys)], ["x-cron-secret", ctx.cronSecret]]);
    const headers: [string, string][] = type === "" ? [auth] : [auth, ["Content-Type", type]];
    if (!admin && rng.chance(0.3)) {
      const conflict = JSON.stringify({ org_id: ctx.otherOrgId });
      return { family: "body_org", headers, query: [["org_id", ctx.orgId]], body: conflict };
    }
    return { family: "body_org", headers, query: [], body: raw };
  },
};

/** The names of the input families, in generation order. */
export const FAMILY_NAMES: readonly string[] = Object.keys(FAMILIES);

/**
 * Generates `count` malformed requests from `seed`: each picks a family, then
 * mutates the valid credentials of `ctx`. Same seed, same inputs.
 *
 * @example
 * for (const input of fuzzInputs(ctx, 1000, 42)) await verifyRequest(toRequest(input), options);
 */
export function* fuzzInputs(ctx: FuzzContext, count: number, seed: number): Generator<FuzzInput> {
  const rng = new Rng(seed);
  for (let i = 0; i < count; i++) {
    const name = FAMILY_NAMES[i % FAMILY_NAMES.length];
    yield FAMILIES[name](rng, ctx);
  }
}
