/**
 * Fuzzing of `verifyRequest`: 21,000 generated malformed requests (fixed seed,
 * so every run sends the same mutations) against a guard that accepts HS256,
 * ES256 and RS256 user tokens, service keys and the cron secret. Every answer
 * must be a 401 or 403 with a known code, its fixed body and challenge, and
 * exactly one `auth_rejected` log line; nothing throws, nothing is a 500, and
 * nothing is accepted.
 */
import assert from "node:assert/strict";
import {
  type AuthContext,
  loadAuthConfig,
  type VerifyOptions,
  verifyRequest,
} from "../supabase/functions/_shared/auth-guard.ts";
import { testAuthEnv } from "./support/tokens.ts";
import { captureLogs, ORG_A, ORG_B, windows } from "./support/guard_harness.ts";
import { CHALLENGE } from "./support/guard_table.ts";
import {
  createFuzzContext,
  FAMILY_NAMES,
  type FuzzInput,
  fuzzInputs,
  toRequest,
} from "./support/fuzz.ts";

const FUZZ_SEED = 0x5eed_2026;
const COUNT = 21_000;
const CHUNK = 250;
const NOW = 1_900_000_000; // fixed verification clock (2030-03-17), seconds

const { ctx, jwks } = await createFuzzContext(ORG_A, ORG_B, NOW);
const config = loadAuthConfig(testAuthEnv({ SUPABASE_JWKS: JSON.stringify(jwks) }));
const base: VerifyOptions = { config, now: () => new Date(NOW * 1000), functionName: "fuzz" };

const CODES: Record<number, string[]> = {
  401: ["missing_authorization", "invalid_token"],
  403: ["insufficient_permissions", "org_scope_violation"],
};

interface Verdict {
  index: number;
  family: string;
  problem: string | null;
}

async function judge(index: number, input: FuzzInput, sampleLeaks: boolean): Promise<Verdict> {
  const verdict = (problem: string | null) => ({ index, family: input.family, problem });
  const capture = captureLogs();
  const req = toRequest(input); // outside the try: a bad input is the generator's bug, not the guard's
  let result: AuthContext | Response;
  try {
    result = await verifyRequest(req, { ...base, logger: capture.logger });
  } catch (err) {
    return verdict(`threw ${err instanceof Error ? err.name : typeof err}`);
  }
  if (!(result instanceof Response)) return verdict(`accepted (via ${result.via})`);
  const body = await result.text();
  const code = CODES[result.status]?.find((c) => body === JSON.stringify({ error: c }));
  if (code === undefined) return verdict(`status ${result.status}, unexpected body`);
  const challenge = result.headers.get("WWW-Authenticate");
  if (challenge !== CHALLENGE[code as keyof typeof CHALLENGE]) return verdict(`bad challenge`);
  const rejected = capture.events().filter((e) => e.event === "auth_rejected");
  if (rejected.length !== 1 || rejected[0].error !== code) return verdict("not logged once");
  if (sampleLeaks) {
    const pieces = new Set(windows(capture.lines.join("\n")));
    const presented = input.headers.map(([, v]) => v).join(" ");
    if (windows(presented).some((w) => pieces.has(w))) return verdict("credential logged");
  }
  return verdict(null);
}

Deno.test("fuzz: the generator is deterministic for a seed", () => {
  const first = [...fuzzInputs(ctx, 300, FUZZ_SEED)];
  const again = [...fuzzInputs(ctx, 300, FUZZ_SEED)];
  const other = [...fuzzInputs(ctx, 300, FUZZ_SEED + 1)];
  assert.deepEqual(again, first);
  assert.notDeepEqual(other, first);
  assert.deepEqual(new Set(first.map((i) => i.family)), new Set(FAMILY_NAMES));
});

Deno.test(`fuzz: ${COUNT} malformed requests -> 401/403 with a known code, none accepted`, async () => {
  const failures: Verdict[] = [];
  const perFamily = new Map<string, number>();
  let batch: Promise<Verdict>[] = [];
  let index = 0;
  const drain = async () => {
    for (const v of await Promise.all(batch)) if (v.problem !== null) failures.push(v);
    batch = [];
  };
  for (const input of fuzzInputs(ctx, COUNT, FUZZ_SEED)) {
    perFamily.set(input.family, (perFamily.get(input.family) ?? 0) + 1);
    batch.push(judge(index, input, index % 97 === 0));
    index++;
    if (batch.length === CHUNK) await drain();
  }
  await drain();
  assert.equal(index, COUNT);
  for (const name of FAMILY_NAMES) assert.ok((perFamily.get(name) ?? 0) >= 900, name);
  // Never print an input: it may hold a credential (the suite scans its output).
  const summary = failures.slice(0, 20).map((f) => `#${f.index} ${f.family}: ${f.problem}`);
  assert.equal(failures.length, 0, `${failures.length} inputs misjudged:\n${summary.join("\n")}`);
});

// jose decodes base64url loosely, so without the guard's canonical-segment check a
// signature with '=' padding, or with other spare bits in its last character,
// would still verify: same claims and key, but one token with several spellings
// (a deny-list or cache keyed by the token string could be sidestepped).
Deno.test({
  name: "fuzz: non-canonical signature encodings are refused",
  fn: async () => {
    const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const spareBit = (t: string) => t.slice(0, -1) + ALPHABET[ALPHABET.indexOf(t.at(-1)!) ^ 1];
    const variants = [`${ctx.hsToken}=`, `${ctx.esToken}==`, spareBit(ctx.hsToken)];
    for (const [i, t] of variants.entries()) {
      const got = await verifyRequest(
        toRequest({ family: "x", headers: [["Authorization", `Bearer ${t}`]], query: [] }),
        { ...base, logger: captureLogs().logger },
      );
      assert.ok(got instanceof Response && got.status === 401, `variant ${i} accepted`);
    }
  },
});
