/**
 * Throughput of one function served with Deno.serve on 127.0.0.1, with the
 * guard and without it (the same handler), measured in the same run:
 *   ./dev bench bench/throughput_bench.ts
 * Each server runs in its own process (bench/fixtures/serve_function.ts); this
 * process is the load generator: every iteration sends REQUESTS requests over
 * CONCURRENCY keep-alive connections and checks every answer. Bounded: fixed
 * counts, and a deadline per iteration. Requests per second are printed at the end.
 * Both processes share the machine's cores, so absolute figures are low; the
 * ratio is what counts.
 */
import { createEs256Key, mintAdminToken, testAuthEnv } from "../tests/support/tokens.ts";

const REQUESTS = 400;
const CONCURRENCY = 16;
const ORG = "0f4b5c8e-1a2b-4c3d-8e9f-00000000000a";
const root = new URL("../", import.meta.url).pathname;

const es = await createEs256Key("throughput-es256");
const env = { ...testAuthEnv({ SUPABASE_JWKS: JSON.stringify(es.jwks) }).vars, NO_COLOR: "1" };
const hsToken = await mintAdminToken(ORG);
const esToken = await mintAdminToken(ORG, { alg: "ES256", privateKey: es.privateKey, kid: es.kid });

async function startServer(mode: "guard" | "bare") {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", "bench/fixtures/serve_function.ts", mode],
    cwd: root,
    env,
    stdin: "piped", // the server exits when this closes
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { value } = await reader.read();
  await reader.cancel(); // only the port line is wanted
  const port = Number(value?.trim());
  if (!Number.isInteger(port)) throw new Error(`${mode} server did not start`);
  return { child, url: `http://127.0.0.1:${port}/functions/v1/bench` };
}

const bare = await startServer("bare");
const guarded = await startServer("guard");
globalThis.addEventListener("unload", () => {
  for (const { child } of [bare, guarded]) {
    try {
      child.kill();
    } catch { /* already gone */ }
  }
});

async function load(url: string, token: string): Promise<void> {
  const init = {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ org_id: ORG }),
  };
  const deadline = AbortSignal.timeout(60_000);
  let next = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      next++;
      const res = await fetch(url, { ...init, signal: deadline });
      const body = await res.json();
      if (res.status !== 200 || body.org_id !== ORG) throw new Error(`got ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

const rps = new Map<string, number[]>();
function measured(name: string, baseline: boolean, url: string, token: string) {
  rps.set(name, []);
  Deno.bench(name, { group: "throughput", baseline, n: 15, warmup: 2 }, async () => {
    const started = performance.now();
    await load(url, token);
    rps.get(name)!.push(REQUESTS / ((performance.now() - started) / 1000));
  });
}

// Warm both servers (JIT, connection pool) before timing.
await Promise.all([
  load(bare.url, hsToken),
  load(guarded.url, hsToken),
  load(guarded.url, esToken),
]);

measured(`bare handler (${REQUESTS} requests, ${CONCURRENCY} at a time)`, true, bare.url, hsToken);
measured("withAuth guard, HS256 admin token", false, guarded.url, hsToken);
measured("withAuth guard, ES256 admin token (inline JWKS)", false, guarded.url, esToken);

globalThis.addEventListener("unload", () => {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const [base] = [...rps.values()].map(median);
  if (!Number.isFinite(base)) return;
  console.log("\nthroughput, median requests per second:");
  for (const [name, xs] of rps) {
    console.log(`  ${name}: ${median(xs).toFixed(0)} req/s (${(median(xs) / base).toFixed(2)}x)`);
  }
});
