/**
 * Cold start: the time for a fresh `deno run` to import a function entry point,
 * against a bare `deno run` of an empty module, measured in the same run:
 *   ./dev bench bench/cold_start_bench.ts
 * Each iteration spawns one process (`--no-check`, module and code caches warmed
 * first), so the figures include process start-up; the differences between
 * rows are what each import adds. Medians are printed at the end.
 * Target: the guard adds at most 15 ms.
 */
import { testAuthEnv } from "../tests/support/tokens.ts";

const ITERATIONS = 30;
const root = new URL("../", import.meta.url).pathname;
const deno = Deno.execPath();
const env = { ...testAuthEnv().vars, NO_COLOR: "1" };

const FIXTURES: { name: string; file: string }[] = [
  { name: "bare deno run (empty module)", file: "bench/fixtures/empty.ts" },
  { name: "jose alone (npm:jose@6.2.18)", file: "bench/fixtures/jose_import.ts" },
  { name: "node:crypto alone", file: "bench/fixtures/node_crypto_import.ts" },
  { name: "guard: import + loadAuthConfig + withAuth", file: "bench/fixtures/guard_import.ts" },
  {
    name: "entry point: check-sla-breaches (guard + postgres + SLA code)",
    file: "bench/fixtures/entry_import.ts",
  },
  {
    name: "@supabase/supabase-js at module top (createClient)",
    file: "bench/fixtures/supabase_js_import.ts",
  },
];

async function spawn(file: string): Promise<void> {
  const out = await new Deno.Command(deno, {
    args: ["run", "-A", "--no-check", file],
    cwd: root,
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`${file}: ${new TextDecoder().decode(out.stderr).slice(-500)}`);
}

// Warm the module, npm and V8 code caches, so every measured start is a warm-cache start.
for (const { file } of FIXTURES) for (let i = 0; i < 2; i++) await spawn(file);

const samples = new Map<string, number[]>(FIXTURES.map((f) => [f.name, []]));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

FIXTURES.forEach(({ name, file }, i) => {
  Deno.bench(
    name,
    { group: "cold start", baseline: i === 0, n: ITERATIONS, warmup: 1 },
    async () => {
      const started = performance.now();
      await spawn(file);
      samples.get(name)!.push(performance.now() - started);
    },
  );
});

globalThis.addEventListener("unload", () => {
  const base = median(samples.get(FIXTURES[0].name)!);
  if (!Number.isFinite(base)) return;
  console.log("\ncold start, median of each row (and what the import adds to a bare deno run):");
  for (const { name } of FIXTURES) {
    const m = median(samples.get(name)!);
    console.log(
      `  ${name}: ${m.toFixed(1)} ms (+${(m - base).toFixed(1)} ms, ${(m / base).toFixed(2)}x)`,
    );
  }
});
