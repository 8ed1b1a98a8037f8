/**
 * The whole test suite: fmt, lint and type checks, a throwaway PostgreSQL with
 * pg_cron, the stand-ins and migrations applied twice, then `deno test`, then
 * a log-hygiene scan. Always stops the cluster. Ends with one line:
 * `deno: N passed, N failed`.
 *
 * Log hygiene: the tests' secrets derive from a fresh EDGE_GUARD_TEST_SEED
 * (tests/support/tokens.ts), every structured log line is appended to
 * EDGE_GUARD_LOG_FILE (log.ts default sink, test capture sinks), and the whole
 * `deno test` stdout+stderr is kept. Both are scanned for every test secret, any
 * 16-character piece of one, the Odoo test API keys and the seed; each kind found
 * counts as one failure, named but never printed.
 */
import { startCluster } from "../supabase/local/cluster.ts";
import { applyLocalStack } from "../supabase/local/apply.ts";
import { type TestSecret, testSecretsFor } from "./support/tokens.ts";
import { leakedKinds } from "./support/guard_harness.ts";

const deno = Deno.execPath();
let passed = 0, failed = 0, skipped = 0;

// API keys the fake Odoo accepts in tests (fixed literals, not random):
// supabase/local/odoo.ts (default user), odoo-client_test.ts, supabase/local/odoo_test.ts.
const ODOO_TEST_API_KEYS = ["test-api-key", "odoo-api-key-5f0c9e2b7d", "k-1234567890"];
// Any compact JWS (a token or a legacy API key) in a log line is a leak, whoever minted it.
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\./;

async function step(name: string, args: string[], env?: Record<string, string>) {
  const out = await new Deno.Command(deno, { args, env, stdout: "inherit", stderr: "inherit" })
    .output();
  // Checks only ever add failures; the passed count is tests alone.
  if (!out.success) {
    failed++;
    console.error(`[test] ${name} failed`);
  }
  return out.success;
}

async function writeAll(to: typeof Deno.stdout, chunk: Uint8Array) {
  for (let off = 0; off < chunk.length;) off += await to.write(chunk.subarray(off));
}

/** Copies a child stream to ours and keeps every chunk. */
async function tee(stream: ReadableStream<Uint8Array>, to: typeof Deno.stdout, kept: Uint8Array[]) {
  for await (const chunk of stream) {
    await writeAll(to, chunk);
    kept.push(chunk);
  }
}

/** Scans the captured logs and output; returns the number of leaks found (each reported). */
function checkLogHygiene(seed: string, logText: string, outputText: string): number {
  const secrets: TestSecret[] = [
    ...testSecretsFor(seed),
    ...ODOO_TEST_API_KEYS.map((value) => ({ kind: "Odoo test API key", value })),
    { kind: "test seed (EDGE_GUARD_TEST_SEED)", value: seed },
  ];
  let leaks = 0;
  const places: [string, string][] = [
    ["the captured log lines (EDGE_GUARD_LOG_FILE)", logText],
    ["the deno test output", outputText],
  ];
  for (const [where, text] of places) {
    for (const kind of leakedKinds(text, secrets)) {
      leaks++;
      console.error(
        `[test] log hygiene: the ${kind}, or a 16-character piece of it, is in ${where}`,
      );
    }
    if (JWT_SHAPE.test(text)) {
      leaks++;
      console.error(`[test] log hygiene: a JWT (token or legacy API key) is in ${where}`);
    }
  }
  const lines = logText.split("\n").length - 1;
  console.error(
    `[test] log hygiene: scanned ${lines} log lines and the test output; ${leaks} leak(s)`,
  );
  return leaks;
}

await step("fmt", ["fmt", "--check"]);
await step("lint", ["lint"]);
await step("check", ["check", "."]);

// A reused seed reproduces a run's secrets; print it here (never in the scanned output).
const seed = Deno.env.get("EDGE_GUARD_TEST_SEED") ||
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0"))
    .join("");
const logFile = await Deno.makeTempFile({ prefix: "edge-guard-log-", suffix: ".jsonl" });
console.error(`[test] EDGE_GUARD_TEST_SEED=${seed}`);
let keepLogFile = false;

const cluster = await startCluster();
try {
  await applyLocalStack(cluster.url, { passes: 2 });
  const cmd = new Deno.Command(deno, {
    // Types were checked above by `deno check .`.
    args: ["test", "-A", "--no-check", ...Deno.args],
    env: {
      TEST_DATABASE_URL: cluster.url,
      NO_COLOR: "1",
      EDGE_GUARD_TEST_SEED: seed,
      EDGE_GUARD_LOG_FILE: logFile,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out: Uint8Array[] = [], err: Uint8Array[] = [];
  await Promise.all([tee(cmd.stdout, Deno.stdout, out), tee(cmd.stderr, Deno.stderr, err)]);
  const status = await cmd.status;
  const dec = new TextDecoder();
  const stdoutText = out.map((c) => dec.decode(c, { stream: true })).join("") + dec.decode();
  const outputText = stdoutText + "\n" + err.map((c) => dec.decode(c, { stream: true })).join("");
  // deno test's summary: "ok | 12 passed (3 steps) | 0 failed | 1 ignored (1s)"
  const m = stdoutText.slice(-4000).match(
    /(\d+) passed[^|]*\| (\d+) failed(?:[^|]*\| (\d+) ignored)?/,
  );
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
    skipped += Number(m[3] ?? 0);
  }
  if (!status.success && (!m || Number(m[2]) === 0)) failed++;
  const leaks = checkLogHygiene(seed, await Deno.readTextFile(logFile), outputText);
  failed += leaks;
  if (leaks > 0) {
    keepLogFile = true;
    console.error(`[test] log lines kept in ${logFile}`);
  }
} catch (err) {
  failed++;
  console.error(`[test] database setup failed: ${err instanceof Error ? err.message : err}`);
} finally {
  await cluster.stop();
  if (!keepLogFile) await Deno.remove(logFile).catch(() => {});
}

console.log(`deno: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
Deno.exit(failed ? 1 : 0);
