/**
 * The layout keeps showing the design (CONVENTIONS.md, "Layout shows the
 * architecture"), checked the way the Deno standard library checks its own in
 * CI: every relative import of every tracked TypeScript file is read and held
 * to three rules, and the offending import is named.
 *
 * 1. A private folder `_name/` is reached only through its public entry: only
 *    `name.ts`, files beside it named `name_*test.ts`, and files inside
 *    `_name/` may import from `_name/`. So a function imports only public
 *    `_shared` entries, and one module never reaches into another's internals.
 * 2. Shipped and local-stack code (`supabase/`, `scripts/`, except test files)
 *    imports nothing from `tests/` or `bench/`.
 * 3. No import cycles.
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

/** One static import: `from` imports `to` (both repository-relative paths). */
export interface Edge {
  from: string;
  to: string;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*["'](\.{1,2}\/[^"']+)["']/g;
const SIDE_EFFECT = /(?:^|\n)\s*import\s*["'](\.{1,2}\/[^"']+)["']/g;

/** Relative imports of one file, resolved to repository paths. */
export function importsOf(file: string, source: string): Edge[] {
  const specs = [...source.matchAll(IMPORT), ...source.matchAll(SIDE_EFFECT)].map((m) => m[1]);
  return specs.map((spec) => ({ from: file, to: normalize(join(dirname(file), spec)) }));
}

const isTest = (file: string) => /_test\.ts$/.test(file) || file.startsWith("tests/");

/** Rule 1: the reason an edge reaches into a private folder it may not, or null. */
export function privateViolation(edge: Edge): string | null {
  const parts = edge.to.split("/");
  for (let i = 0; i < parts.length - 1; i++) {
    if (!parts[i].startsWith("_") || parts[i] === "_shared") continue;
    const owner = parts.slice(0, i).join("/");
    const name = parts[i].slice(1);
    const inside = edge.from.startsWith(`${join(owner, parts[i])}/`);
    const entry = relative(owner, edge.from);
    const allowed = entry === `${name}.ts` || new RegExp(`^${name}_\\w*test\\.ts$`).test(entry);
    if (dirname(edge.from) === owner && allowed) return null;
    if (!inside) {
      return `${edge.from} imports ${edge.to}: private to ${join(owner, name)}.ts`;
    }
  }
  return null;
}

/** Rule 2: the reason an edge makes shipped code depend on tests or benches, or null. */
export function testCodeViolation(edge: Edge): string | null {
  const shipped = /^(supabase|scripts)\//.test(edge.from) && !isTest(edge.from);
  if (shipped && /^(tests|bench)\//.test(edge.to)) {
    return `${edge.from} imports ${edge.to}: shipped code must not import tests/ or bench/`;
  }
  return null;
}

/** Rule 3: every import cycle, each as its path (`a -> b -> a`). */
export function cycles(edges: readonly Edge[]): string[] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const state = new Map<string, "open" | "done">();
  const found: string[] = [];
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === "done") return;
    if (state.get(node) === "open") {
      found.push([...path.slice(path.indexOf(node)), node].join(" -> "));
      return;
    }
    state.set(node, "open");
    for (const to of next.get(node) ?? []) visit(to, [...path, node]);
    state.set(node, "done");
  };
  for (const node of [...next.keys()].sort()) visit(node, []);
  return found;
}

async function trackedTypeScript(): Promise<string[]> {
  const out = await new Deno.Command("git", { args: ["ls-files", "*.ts"], stdout: "piped" })
    .output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((f) => f.endsWith(".ts"));
}

Deno.test("layout rules, on small graphs", async (t) => {
  const cases: [string, Edge, "private" | "tests" | null][] = [
    ["function -> public entry", {
      from: "supabase/functions/a/index.ts",
      to: "supabase/functions/_shared/auth-guard.ts",
    }, null],
    ["function -> private file", {
      from: "supabase/functions/a/index.ts",
      to: "supabase/functions/_shared/_auth-guard/jwt.ts",
    }, "private"],
    ["entry -> its own folder", {
      from: "supabase/functions/_shared/auth-guard.ts",
      to: "supabase/functions/_shared/_auth-guard/jwt.ts",
    }, null],
    ["entry's test -> its own folder", {
      from: "supabase/functions/_shared/auth-guard_jwt_test.ts",
      to: "supabase/functions/_shared/_auth-guard/jwt.ts",
    }, null],
    ["inside -> inside", {
      from: "supabase/functions/_shared/_auth-guard/user.ts",
      to: "supabase/functions/_shared/_auth-guard/jwt.ts",
    }, null],
    ["another module -> internals", {
      from: "supabase/functions/_shared/odoo-sync.ts",
      to: "supabase/functions/_shared/_odoo-client/rpc.ts",
    }, "private"],
    ["another module's folder -> internals", {
      from: "supabase/functions/_shared/_odoo-sync/org.ts",
      to: "supabase/functions/_shared/_odoo-client/rpc.ts",
    }, "private"],
    ["test elsewhere -> internals", {
      from: "tests/x_test.ts",
      to: "scripts/_doctor/types.ts",
    }, "private"],
    ["local stack -> tests", {
      from: "supabase/local/_stack/demo.ts",
      to: "tests/support/odoo_server.ts",
    }, "tests"],
    ["script -> bench", { from: "scripts/doctor.ts", to: "bench/x.ts" }, "tests"],
    ["test beside code -> tests", {
      from: "supabase/functions/a/index_test.ts",
      to: "tests/support/db.ts",
    }, null],
  ];
  for (const [name, edge, want] of cases) {
    await t.step(name, () => {
      assert.equal(privateViolation(edge) !== null, want === "private", name);
      assert.equal(testCodeViolation(edge) !== null, want === "tests", name);
    });
  }
  await t.step("cycles are found and named", () => {
    const e = (from: string, to: string) => ({ from, to });
    assert.deepEqual(cycles([e("a", "b"), e("b", "c"), e("c", "a")]), ["a -> b -> c -> a"]);
    assert.deepEqual(cycles([e("a", "b"), e("b", "c"), e("a", "c")]), []);
  });
});

Deno.test("the repository keeps its layout", async () => {
  const files = await trackedTypeScript();
  const edges: Edge[] = [];
  for (const file of files) edges.push(...importsOf(file, await Deno.readTextFile(file)));
  const problems = [
    ...edges.map(privateViolation),
    ...edges.map(testCodeViolation),
    ...cycles(edges).map((c) => `import cycle: ${c}`),
  ].filter((p): p is string => p !== null);
  assert.deepEqual(problems, [], `layout violations:\n${problems.join("\n")}`);
  const shared = [...Deno.readDirSync("supabase/functions/_shared")].length;
  assert.ok(shared <= 25, `supabase/functions/_shared/ has ${shared} entries; at most 25`);
});
