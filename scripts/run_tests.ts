/**
 * The whole test suite: fmt, lint and type checks, a throwaway PostgreSQL with
 * pg_cron, the stand-ins and migrations applied twice, then `deno test`.
 * Always stops the cluster. Ends with one line: `deno: N passed, N failed`.
 */
import { startCluster } from "../supabase/local/cluster.ts";
import { applyLocalStack } from "../supabase/local/apply.ts";

const deno = Deno.execPath();
let passed = 0, failed = 0, skipped = 0;

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

await step("fmt", ["fmt", "--check"]);
await step("lint", ["lint"]);
await step("check", ["check", "."]);

const cluster = await startCluster();
try {
  await applyLocalStack(cluster.url, { passes: 2 });
  const cmd = new Deno.Command(deno, {
    // Types were checked above by `deno check .`.
    args: ["test", "-A", "--no-check", ...Deno.args],
    env: { TEST_DATABASE_URL: cluster.url, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let tail = "";
  const dec = new TextDecoder();
  for await (const chunk of cmd.stdout) {
    await Deno.stdout.write(chunk);
    tail = (tail + dec.decode(chunk)).slice(-4000);
  }
  const status = await cmd.status;
  // deno test's summary: "ok | 12 passed (3 steps) | 0 failed | 1 ignored (1s)"
  const m = tail.match(/(\d+) passed[^|]*\| (\d+) failed(?:[^|]*\| (\d+) ignored)?/);
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
    skipped += Number(m[3] ?? 0);
  }
  if (!status.success && (!m || Number(m[2]) === 0)) failed++;
} catch (err) {
  failed++;
  console.error(`[test] database setup failed: ${err instanceof Error ? err.message : err}`);
} finally {
  await cluster.stop();
}

console.log(`deno: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
Deno.exit(failed ? 1 : 0);
