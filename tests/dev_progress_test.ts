/**
 * Progress of `./dev`'s long first-time steps (tools/progress.sh): what runs
 * and about how long, how far along at each interval (rewritten in place at a
 * terminal, one line each in a log), how long it took, and the step's own
 * exit status; every line fits 80 columns. `./dev` and tools/third_party.sh
 * run their installs and builds through it.
 */
import assert from "node:assert/strict";

const repoRoot = new URL("../", import.meta.url).pathname;

async function progress(script: string, env: Record<string, string> = {}) {
  const out = await new Deno.Command("bash", {
    args: ["-c", `set -euo pipefail; source tools/progress.sh; ${script}`],
    cwd: repoRoot,
    env: { DEV_PROGRESS_INTERVAL: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, err: new TextDecoder().decode(out.stderr) };
}

Deno.test("with_progress: estimate, elapsed against it, done; in a log and at a terminal", async () => {
  const log = await progress(`with_progress "building Supabase Auth 2.196.0" 3 sleep 2.3`);
  assert.equal(log.code, 0);
  const lines = log.err.trimEnd().split("\n");
  assert.equal(lines[0], "[dev] building Supabase Auth 2.196.0 (about 3 s, first time only)…");
  assert.ok(lines.includes("[dev] building Supabase Auth 2.196.0: 1 s, about 2 s left"), log.err);
  assert.match(lines.at(-1)!, /^\[dev\] building Supabase Auth 2\.196\.0: done in [23] s$/);
  for (const line of lines) assert.ok(line.length <= 80, line);

  const tty = await progress(`with_progress "installing" 1 sleep 2.3`, { DEV_PROGRESS_TTY: "1" });
  assert.ok(tty.err.includes("\r\u001b[K[dev] installing: "), JSON.stringify(tty.err));
  assert.ok(tty.err.includes("taking longer than the usual 1 s"), JSON.stringify(tty.err));
  assert.equal(tty.err.split("\n").length, 3, "the running line is rewritten, not repeated");
});

Deno.test("with_progress: a failing step keeps its exit status and says so", async () => {
  const r = await progress(`with_progress "make of pg_net" 5 bash -c "exit 3" || echo "rc=$?" >&2`);
  assert.match(r.err, /\[dev\] make of pg_net: failed after \d+ s \(exit 3\)\nrc=3\n$/);
});

Deno.test("./dev and tools/third_party.sh run their long first-time steps with progress", async () => {
  const dev = await Deno.readTextFile(`${repoRoot}dev`);
  const tp = await Deno.readTextFile(`${repoRoot}tools/third_party.sh`);
  const cases: [string, string, RegExp][] = [
    ["npm ci", dev, /with_progress "installing Deno[^"]*" \d+ npm_ci/],
    ["PostgreSQL apt install", dev, /apt_install "installing postgresql-15[^"]*" \d+/],
    ["chromium apt install", dev, /apt_install "installing chromium[^"]*" \d+/],
    ["Supabase Auth go build", tp, /with_progress "building Supabase Auth[^"]*" \d+ go_build/],
    ["extension builds", tp, /with_progress "building \$P_NAME .*" \d+ pgxs_make/],
  ];
  for (const [name, text, re] of cases) assert.match(text, re, name);
  assert.doesNotMatch(dev, /^\s*npm ci .*>&2$/m, "no bare npm ci left");
});
