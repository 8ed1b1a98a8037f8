/**
 * The machinery of the suite-wide log-hygiene scan (tests/run_tests.ts): the
 * default log sink and the test capture sink also append every line to
 * EDGE_GUARD_LOG_FILE, test secrets are reproducible from EDGE_GUARD_TEST_SEED,
 * and the scanner finds a secret whole or as any 16-character piece, naming its
 * kind only. Child processes get their own environment, so these tests do not
 * depend on how the suite itself was started.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { leakedKinds } from "./support/guard_harness.ts";
import { testSecretsFor } from "./support/tokens.ts";

const root = new URL("../", import.meta.url);
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

// The child inherits this process's environment minus the suite's own EDGE_GUARD_* settings.
async function evalIn(code: string, env: Record<string, string>) {
  const inherited = Object.entries(Deno.env.toObject()).filter(([k]) =>
    !k.startsWith("EDGE_GUARD_")
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    cwd: root,
    env: { ...Object.fromEntries(inherited), NO_COLOR: "1", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  assert.ok(out.success, text(out.stderr).slice(-500));
  return { stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("log hygiene: the default sink writes the console and EDGE_GUARD_LOG_FILE", async () => {
  const file = await Deno.makeTempFile({ suffix: ".jsonl" });
  try {
    const { stdout, stderr } = await evalIn(
      `import { log } from "${new URL("supabase/functions/_shared/log.ts", root)}";
       log("info", "probe_info", { n: 1 });
       log("warn", "probe_warn", { n: 2 });`,
      { EDGE_GUARD_LOG_FILE: file },
    );
    assert.match(stdout, /"event":"probe_info"/);
    assert.match(stderr, /"event":"probe_warn"/);
    const lines = (await Deno.readTextFile(file)).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => [l.level, l.event, l.n]), [
      ["info", "probe_info", 1],
      ["warn", "probe_warn", 2],
    ]);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("log hygiene: test capture sinks append to EDGE_GUARD_LOG_FILE too", async () => {
  const file = await Deno.makeTempFile({ suffix: ".jsonl" });
  try {
    await evalIn(
      `import { captureLogs } from "${new URL("tests/support/guard_harness.ts", root)}";
       const c = captureLogs();
       c.logger("warn", "captured_probe", { n: 3 });
       if (c.lines.length !== 1) throw new Error("not kept in memory");`,
      { EDGE_GUARD_LOG_FILE: file },
    );
    assert.match(
      await Deno.readTextFile(file),
      /"event":"captured_probe","timestamp":"[^"]+","n":3/,
    );
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("log hygiene: EDGE_GUARD_TEST_SEED makes the TEST_* secrets reproducible", async () => {
  const code = `import * as t from "${new URL("tests/support/tokens.ts", root)}";
    import { createHash } from "node:crypto";
    console.log(JSON.stringify(t.TEST_SECRETS.map((s) => createHash("sha256").update(s).digest("hex"))));`;
  const seeded = async (seed: string) =>
    JSON.parse((await evalIn(code, { EDGE_GUARD_TEST_SEED: seed })).stdout);
  const first = await seeded("seed-one");
  assert.deepEqual(await seeded("seed-one"), first);
  assert.deepEqual(testSecretsFor("seed-one").map((s) => sha(s.value)), first);
  assert.notDeepEqual(await seeded("seed-two"), first);
  const unseeded = JSON.parse((await evalIn(code, {})).stdout);
  assert.notDeepEqual(
    JSON.parse((await evalIn(code, {})).stdout),
    unseeded,
    "random without a seed",
  );
  assert.equal(new Set(testSecretsFor("x").map((s) => s.kind)).size, 6);
});

Deno.test("log hygiene: the scanner finds whole secrets and 16-character pieces, by kind", () => {
  const secrets = testSecretsFor("scanner-seed");
  const [jwtSecret, anon, , sbSecret] = secrets;
  const line = (v: unknown) => JSON.stringify({ level: "warn", event: "x", value: v });
  assert.deepEqual(leakedKinds(line("nothing to see") + line("service_role"), secrets), []);
  assert.deepEqual(leakedKinds(line(jwtSecret.value), secrets), [jwtSecret.kind]);
  assert.deepEqual(leakedKinds(line(sbSecret.value.slice(5, 21)), secrets), [sbSecret.kind]);
  assert.deepEqual(leakedKinds(line(anon.value.split(".")[2]), secrets), [anon.kind]);
  assert.deepEqual(leakedKinds(line(sbSecret.value.slice(5, 20)), secrets), [], "15 chars is fine");
  const short = [{ kind: "Odoo test API key", value: "test-api-key" }];
  assert.deepEqual(leakedKinds(line("key=test-api-key"), short), ["Odoo test API key"]);
  assert.deepEqual(leakedKinds(line("test-api-ke"), short), []);
});
