/**
 * `./dev token --org <uuid> [--admin]`: prints an access token of a new user
 * of that organization (an integration admin with `--admin`) for the running
 * `./dev run`, found through its state files (`.local/stack.json`, or
 * LOCAL_STACK_STATE_DIR). See docs/add-a-function.md.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type LocalProject, localUserToken } from "../supabase/local/dev_tokens.ts";
import { describeError } from "../supabase/functions/_shared/log.ts";

/** One dotenv value as `toDotenv` (supabase/local/stack.ts) writes it: bare, '...' or JSON "...". */
function unquote(value: string): string {
  if (value.startsWith('"')) return JSON.parse(value);
  if (value.startsWith("'")) return value.slice(1, -1);
  return value;
}

/** The running stack as its state files describe it. */
export interface RunningStack extends LocalProject {
  functionsUrl: string;
  /** The demo organization (absent in state files of an older stack). */
  demoOrgId?: string;
}

/**
 * The running stack's URLs and API keys, from its state files.
 *
 * @param stateDir where `stack.json` is (`.local` or LOCAL_STACK_STATE_DIR).
 * @returns the {@linkcode RunningStack}.
 * @throws when no stack is running there.
 * @example
 * const project = await readProject(".local");
 */
export async function readProject(stateDir: string): Promise<RunningStack> {
  let state: { apiUrl: string; functionsUrl: string; functionsEnvFile: string; demoOrgId?: string };
  try {
    state = JSON.parse(await Deno.readTextFile(`${stateDir}/stack.json`));
  } catch {
    throw new Error(`no running stack found (${stateDir}/stack.json); start one with ./dev run`);
  }
  const env = await Deno.readTextFile(state.functionsEnvFile);
  const read = (name: string) => {
    const line = env.split("\n").find((l) => l.startsWith(`${name}=`));
    if (line === undefined) throw new Error(`${state.functionsEnvFile} has no ${name}`);
    return unquote(line.slice(name.length + 1));
  };
  return {
    apiUrl: state.apiUrl,
    functionsUrl: state.functionsUrl,
    demoOrgId: state.demoOrgId,
    anonKey: read("SUPABASE_ANON_KEY"),
    serviceRoleKey: read("SUPABASE_SERVICE_ROLE_KEY"),
  };
}

if (import.meta.main) {
  const args = parseArgs({
    args: Deno.args,
    options: { org: { type: "string" }, admin: { type: "boolean", default: false } },
  });
  if (args.values.org === undefined || args.positionals.length > 0) {
    console.error("usage: ./dev token --org <organization uuid> [--admin]");
    Deno.exit(2);
  }
  try {
    const stateDir = Deno.env.get("LOCAL_STACK_STATE_DIR") ?? ".local";
    const project = await readProject(stateDir);
    console.log(
      await localUserToken(project, { orgId: args.values.org, admin: args.values.admin }),
    );
  } catch (err) {
    // One bounded line with any key-shaped text blanked (log.ts), as every error description.
    console.error(`./dev token: ${describeError(err)}`);
    Deno.exit(1);
  }
}
