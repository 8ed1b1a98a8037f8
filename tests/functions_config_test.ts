/**
 * Issue 22: CI fails when a function folder under `supabase/functions/` has
 * no `[functions.<name>]` entry with `verify_jwt = false` in
 * `supabase/config.toml` (deployed without it, the platform's JWT check would
 * refuse the callers the guard must accept: `sb_secret_` keys, ES256 tokens).
 */
import assert from "node:assert/strict";

/** The `verify_jwt` value of each `[functions.<name>]` table (null when the table has none). */
function functionEntries(toml: string): Map<string, string | null> {
  const entries = new Map<string, string | null>();
  let current: string | null = null;
  for (const raw of toml.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    const table = /^\[(.+)\]$/.exec(line);
    if (table !== null) {
      const fn = /^functions\.("?)([^"\]]+)\1$/.exec(table[1]);
      current = fn === null ? null : fn[2];
      if (current !== null) entries.set(current, null);
      continue;
    }
    const setting = /^verify_jwt\s*=\s*(\S+)$/.exec(line);
    if (current !== null && setting !== null) entries.set(current, setting[1]);
  }
  return entries;
}

/** What is wrong for each function folder, as one line each (empty when nothing). */
function configProblems(folders: string[], toml: string): string[] {
  const entries = functionEntries(toml);
  return folders.flatMap((name) => {
    if (!entries.has(name)) return [`${name}: no [functions.${name}] entry`];
    const value = entries.get(name);
    return value === "false" ? [] : [`${name}: verify_jwt = ${value ?? "(unset)"}, not false`];
  });
}

const CASES: { name: string; folders: string[]; toml: string; problems: string[] }[] = [
  {
    name: "every folder has its entry",
    folders: ["a", "b-c"],
    toml: "[functions.a]\nverify_jwt = false\n\n[functions.b-c]\nverify_jwt = false # why\n",
    problems: [],
  },
  {
    name: "a folder without an entry",
    folders: ["a", "new-one"],
    toml: "[functions.a]\nverify_jwt = false\n",
    problems: ["new-one: no [functions.new-one] entry"],
  },
  {
    name: "an entry that keeps the platform's JWT check",
    folders: ["a"],
    toml: "[functions.a]\nverify_jwt = true\n",
    problems: ["a: verify_jwt = true, not false"],
  },
  {
    name: "an entry without verify_jwt, or only in a comment",
    folders: ["a"],
    toml: "[functions.a]\n# verify_jwt = false\n[db]\nverify_jwt = false\n",
    problems: ["a: verify_jwt = (unset), not false"],
  },
  {
    name: "a quoted table name",
    folders: ["a"],
    toml: '[functions."a"]\nverify_jwt = false\n',
    problems: [],
  },
];

for (const c of CASES) {
  Deno.test(`config.toml check: ${c.name}`, () => {
    assert.deepEqual(configProblems(c.folders, c.toml), c.problems);
  });
}

Deno.test("config.toml: every function folder under supabase/functions/ has verify_jwt = false", async () => {
  const root = new URL("../supabase/", import.meta.url);
  const folders: string[] = [];
  for await (const entry of Deno.readDir(new URL("functions/", root))) {
    if (entry.isDirectory && !/^[_.]/.test(entry.name)) folders.push(entry.name);
  }
  assert.ok(folders.length >= 6, `only ${folders.length} function folders found`);
  const toml = await Deno.readTextFile(new URL("config.toml", root));
  assert.deepEqual(configProblems(folders.sort(), toml), []);
});
