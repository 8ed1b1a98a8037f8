/** `./dev new-function`: what it refuses, and that it never half-writes a function. */
import assert from "node:assert/strict";
import { newFunction } from "./new_function.ts";

async function project(config = "[db]\nport = 54322\n"): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "edge-guard-new-fn-" });
  await Deno.mkdir(`${root}/supabase/functions/taken`, { recursive: true });
  await Deno.writeTextFile(`${root}/supabase/config.toml`, config);
  return root;
}

const REFUSED: { name: string; fn: string; config?: string; error: RegExp }[] = [
  { name: "not kebab-case", fn: "Hello_Org", error: /not a kebab-case name/ },
  { name: "a path", fn: "../evil", error: /not a kebab-case name/ },
  { name: "a private folder name", fn: "_shared", error: /not a kebab-case name/ },
  { name: "an existing folder", fn: "taken", error: /already exists/ },
  {
    name: "an existing config entry",
    fn: "fresh",
    config: "[functions.fresh]\nverify_jwt = false\n",
    error: /already has \[functions\.fresh\]/,
  },
];

for (const c of REFUSED) {
  Deno.test(`new-function refuses ${c.name}`, async () => {
    const root = await project(c.config);
    try {
      const before = await Deno.readTextFile(`${root}/supabase/config.toml`);
      await assert.rejects(newFunction(c.fn, { root }), c.error);
      assert.equal(await Deno.readTextFile(`${root}/supabase/config.toml`), before);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}

Deno.test("new-function writes the function, its test and one config entry with the reason", async () => {
  const root = await project();
  try {
    const files = await newFunction("hello-org", { root });
    assert.deepEqual(files, [
      "supabase/functions/hello-org/index.ts",
      "supabase/functions/hello-org/index_test.ts",
      "supabase/config.toml",
    ]);
    const index = await Deno.readTextFile(`${root}/${files[0]}`);
    assert.match(index, /withAuth\(/);
    assert.match(index, /auth\.orgId/);
    assert.match(index, /^if \(import\.meta\.main\) Deno\.serve\(createHandler\(\)\);$/m);
    const config = await Deno.readTextFile(`${root}/supabase/config.toml`);
    assert.match(
      config,
      /# hello-org: verify_jwt = false on purpose[\s\S]*\n\[functions\.hello-org\]\nverify_jwt = false\n$/,
    );
    assert.equal(config.match(/\[functions\.hello-org\]/g)?.length, 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
