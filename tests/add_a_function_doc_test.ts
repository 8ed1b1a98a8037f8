/**
 * Issue 22: docs/add-a-function.md, run step by step against a fresh local
 * stack. Every ```sh step``` block runs with bash in a project folder laid
 * out like this repository (`dev`, `tools`, `scripts`, `tests`, `deno.json`
 * are links to this repo's; `supabase/` is its own, with `config.toml`
 * copied and `functions/_shared`, `local`, `migrations` linked), so `./dev new-function` and the
 * edits change nothing here. The variables of step 1 come from the stack.
 * Each output must hold the lines of the ```text answer``` block after it, in
 * order (`$NAME` is the variable's value; a line ending in `…` is a prefix).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startLocalStack } from "../supabase/local/stack.ts";
import { createLogger } from "../supabase/functions/_shared/log.ts";
import { recordLogLine } from "./support/guard_harness.ts";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const PAGE = await Deno.readTextFile(`${REPO}docs/add-a-function.md`);

type Block = { kind: "step" | "answer" | "invoke"; text: string };

/** The page's marked blocks, in order. */
function blocks(md: string): Block[] {
  const found: Block[] = [];
  for (const m of md.matchAll(/^```(sh step|text answer|ts invoke)\n([\s\S]*?)^```$/gm)) {
    found.push({ kind: m[1].split(" ")[1] as Block["kind"], text: m[2] });
  }
  return found;
}

/** A project folder that looks like this repository but owns its `supabase/`. */
async function projectFolder(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "edge-guard-project-" });
  for (const name of ["dev", "tools", "scripts", "tests", "deno.json", "deno.lock"]) {
    await Deno.symlink(`${REPO}${name}`, `${root}/${name}`);
  }
  await Deno.mkdir(`${root}/supabase/functions`, { recursive: true });
  await Deno.copyFile(`${REPO}supabase/config.toml`, `${root}/supabase/config.toml`);
  for (const name of ["local", "migrations", "tests"]) {
    await Deno.symlink(`${REPO}supabase/${name}`, `${root}/supabase/${name}`);
  }
  await Deno.symlink(`${REPO}supabase/functions/_shared`, `${root}/supabase/functions/_shared`);
  return root;
}

async function bash(script: string, cwd: string, env: Record<string, string>) {
  const out = await new Deno.Command("bash", {
    args: ["-euo", "pipefail", "-c", script],
    cwd,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.ok(out.success, `step failed:\n${script}\n${new TextDecoder().decode(out.stderr)}`);
  return text.split("\n").map((l) => l.trimEnd());
}

/** Asserts `expected` lines appear in `output` in order. */
function assertAnswer(output: string[], expected: string, env: Record<string, string>) {
  const want = expected.trimEnd().split("\n")
    .map((l) => l.replace(/\$([A-Z_]+)/g, (_, name) => env[name] ?? `$${name}`));
  let at = 0;
  for (const line of want) {
    const prefix = line.endsWith("…") ? line.slice(0, -1) : null;
    while (at < output.length && !(prefix ? output[at].startsWith(prefix) : output[at] === line)) {
      at++;
    }
    assert.ok(at < output.length, `"${line}" not in the answer:\n${output.join("\n")}`);
    at++;
  }
}

Deno.test("docs/add-a-function.md: every step answers as the page says", async () => {
  const steps = blocks(PAGE);
  assert.ok(steps.filter((b) => b.kind === "step").length >= 6, "the page lost its steps");
  const root = await projectFolder();
  const stack = await startLocalStack({
    apiPort: 0,
    dbPort: 0,
    pauseCron: true,
    stateDir: `${root}/.local`,
    functionsDir: `${root}/supabase/functions`,
    logger: createLogger(recordLogLine),
  });
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? root,
    NO_COLOR: "1",
    FUNCTIONS_URL: stack.urls.functions,
    SUPABASE_URL: stack.urls.api,
    ANON_KEY: stack.keys.anonKey,
    ADMIN_TOKEN: stack.tokens.admin,
    MEMBER_TOKEN: stack.tokens.member,
    DEMO_ORG: stack.demo.orgId,
  };
  try {
    let output: string[] | null = null;
    for (const block of steps) {
      if (block.kind === "invoke") await Deno.writeTextFile(`${root}/invoke.ts`, block.text);
      if (block.kind === "step") output = await bash(block.text, root, env);
      if (block.kind === "answer") {
        assert.ok(output !== null, "an answer without a step");
        assertAnswer(output, block.text, env);
        output = null;
      }
    }
  } finally {
    await stack.stop();
    await Deno.remove(root, { recursive: true });
  }
});
