/**
 * Runs every pgTAP suite (`supabase/tests/*.test.sql`) with psql against the
 * test database, one Deno test per file. A suite fails on any `not ok`, a plan
 * mismatch, or a psql error. The suites roll back, so they leave no trace.
 */
import assert from "node:assert/strict";
import { testDatabaseUrl } from "../../tests/support/db.ts";
import { parseTap, tapProblems } from "../../tests/support/tap.ts";

const dir = new URL(".", import.meta.url).pathname;
// Top-level suites, plus one folder per SQL function (`<function>/<behaviour>.test.sql`).
const suites = [...Deno.readDirSync(dir)].flatMap((e) =>
  e.isDirectory && !e.name.startsWith("_")
    ? [...Deno.readDirSync(`${dir}${e.name}`)].map((f) => `${e.name}/${f.name}`)
    : [e.name]
).filter((name) => name.endsWith(".test.sql")).sort();

for (const suite of suites) {
  Deno.test(`pgTAP ${suite}`, async () => {
    const url = await testDatabaseUrl();
    const out = await new Deno.Command("psql", {
      args: [url, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-f", `${dir}${suite}`],
      cwd: `${dir}${suite.includes("/") ? suite.split("/")[0] : ""}`,
      env: { PGOPTIONS: "--client-min-messages=warning" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    const problems = tapProblems(parseTap(stdout));
    if (!out.success) problems.unshift(`psql exited with ${out.code}`);
    if (/\b(ERROR|FATAL):/.test(stderr)) problems.unshift(`psql error: ${stderr.trim()}`);
    assert.deepEqual(problems, [], `${suite}\n${stdout}\n${stderr}`);
  });
}

Deno.test("pgTAP suites exist", () => {
  assert.ok(suites.length >= 5, `found ${suites.join(", ")}`);
});
