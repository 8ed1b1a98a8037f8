/**
 * Runs every pgTAP suite (`supabase/tests/*.test.sql`, and
 * `supabase/tests/<sql function>/*.test.sql`, one behaviour per file) with psql
 * against the test database, one Deno test per file. A suite fails on any
 * `not ok`, a plan mismatch, or a psql error. The suites roll back, so they
 * leave no trace.
 *
 * pgTAP itself is created first, in the same session, the way `supabase test db`
 * does (`create extension if not exists pgtap with schema extensions`): as
 * `postgres`, through supautils (pgtap is one of hosted's privileged extensions).
 */
import assert from "node:assert/strict";
import { testDatabaseUrl } from "../../tests/support/db.ts";
import { parseTap, tapProblems } from "../../tests/support/tap.ts";

const dir = new URL(".", import.meta.url).pathname;
const PGTAP = "create extension if not exists pgtap with schema extensions";
const suitesIn = (sub: string) =>
  [...Deno.readDirSync(`${dir}${sub}`)]
    .filter((e) => e.isFile && e.name.endsWith(".test.sql"))
    .map((e) => `${sub}${e.name}`);
const suites = [
  ...suitesIn(""),
  ...[...Deno.readDirSync(dir)].filter((e) => e.isDirectory).flatMap((e) => suitesIn(`${e.name}/`)),
].sort();

for (const suite of suites) {
  Deno.test(`pgTAP ${suite}`, async () => {
    const url = await testDatabaseUrl();
    const out = await new Deno.Command("psql", {
      args: [
        url,
        "-X",
        "-q",
        "-t",
        "-A",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        PGTAP,
        "-f",
        `${dir}${suite}`,
      ],
      cwd: dir,
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
