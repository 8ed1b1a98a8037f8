/**
 * `./dev new-function <name>`: writes `supabase/functions/<name>/index.ts`
 * (guarded with withAuth, reading its input, scoped to `auth.orgId`), a test
 * beside it, and the `[functions.<name>] verify_jwt = false` entry in
 * `supabase/config.toml` with the reason. A running `./dev run` serves the
 * new function at once. Works in the current directory's project (`./dev`
 * runs from the repository root). See docs/add-a-function.md.
 *
 * @module
 */
import { configEntry, functionSource, testSource } from "./_new_function/templates.ts";

/** Function names the platform accepts and this project uses: kebab-case. */
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Scaffolds function `name` under `root`.
 *
 * @param name kebab-case function name.
 * @param o `root`: the project folder holding `supabase/` (default: the current directory).
 * @returns the files written or changed, relative to `root`.
 * @example
 * await newFunction("hello-org"); // ["supabase/functions/hello-org/index.ts", ...]
 */
export async function newFunction(name: string, o: { root?: string } = {}): Promise<string[]> {
  const root = o.root ?? Deno.cwd();
  if (!NAME.test(name)) {
    throw new Error(`"${name}" is not a kebab-case name (e.g. hello-org)`);
  }
  const dir = `${root}/supabase/functions/${name}`;
  if (await exists(dir)) throw new Error(`supabase/functions/${name} already exists`);
  const configPath = `${root}/supabase/config.toml`;
  const config = await Deno.readTextFile(configPath);
  if (config.includes(`[functions.${name}]`)) {
    throw new Error(`supabase/config.toml already has [functions.${name}]`);
  }
  await Deno.mkdir(dir, { recursive: true });
  // The test first: a running gateway boots the function as soon as index.ts appears.
  await Deno.writeTextFile(`${dir}/index_test.ts`, testSource(name));
  await Deno.writeTextFile(`${configPath}`, `${config.trimEnd()}\n${configEntry(name)}`);
  await Deno.writeTextFile(`${dir}/index.ts`, functionSource(name));
  return [
    `supabase/functions/${name}/index.ts`,
    `supabase/functions/${name}/index_test.ts`,
    "supabase/config.toml",
  ];
}

if (import.meta.main) {
  const [name, ...rest] = Deno.args;
  if (name === undefined || name.startsWith("-") || rest.length > 0) {
    console.error("usage: ./dev new-function <name>   (kebab-case, e.g. hello-org)");
    Deno.exit(2);
  }
  try {
    const files = await newFunction(name);
    console.log(`created ${files[0]}\ncreated ${files[1]}\nupdated ${files[2]}`);
    console.log(`a running ./dev run serves it now at /functions/v1/${name}`);
  } catch (err) {
    console.error(`./dev new-function: ${err instanceof Error ? err.message : err}`);
    Deno.exit(1);
  }
}
