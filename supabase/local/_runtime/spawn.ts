/**
 * Starts one isolate: `deno run` with the bootstrap preloaded and the
 * function's `index.ts` as the main module, the platform's permissions and
 * memory limit, and the environment the platform injects. Imported only by
 * `runtime.ts`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { freePort } from "../cluster.ts";

const BOOTSTRAP = fileURLToPath(new URL("./bootstrap.ts", import.meta.url));
/** The project's import map (`jose`, `postgres`, ...), which a deployed function bundles too. */
const CONFIG = fileURLToPath(new URL("../../../deno.json", import.meta.url));

/** What one isolate is started with. */
export interface SpawnOptions {
  /** The function's `index.ts`. */
  file: string;
  /** The functions folder: the only place the isolate may read. */
  functionsDir: string;
  /** The environment the platform injects, plus the stack's secrets. */
  env: Record<string, string>;
  /** A dotenv file of the project's secrets, or null; its values never replace `env`'s. */
  envFile: string | null;
  /** V8 heap limit, MB. */
  memoryMb: number;
}

/** The `deno run` arguments: edge-function permissions (net, env, read of the functions folder). */
export function isolateArgs(o: SpawnOptions): string[] {
  return [
    "run",
    "--no-prompt",
    "--quiet",
    `--config=${CONFIG}`,
    "--allow-net",
    "--allow-env",
    `--allow-read=${o.functionsDir}`,
    `--v8-flags=--max-old-space-size=${o.memoryMb}`,
    ...(o.envFile === null ? [] : [`--env-file=${o.envFile}`]),
    `--preload=${BOOTSTRAP}`,
    o.file,
  ];
}

/** Only what Deno itself needs from the gateway's environment (where its module cache is). */
function hostEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["HOME", "DENO_DIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Starts the process; it listens on 127.0.0.1:`port` once the function called Deno.serve. */
export function spawnIsolate(o: SpawnOptions): { child: Deno.ChildProcess; port: number } {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: isolateArgs(o),
    // NO_COLOR: Deno's own error messages reach the log as plain text.
    env: { ...hostEnv(), NO_COLOR: "1", ...o.env, EDGE_RUNTIME_PORT: String(port) },
    clearEnv: true,
    cwd: o.functionsDir,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return { child, port };
}

/** Resolves once `port` accepts connections; rejects when `exited` settles first or after `timeoutMs`. */
export async function waitListening(
  port: number,
  exited: Promise<unknown>,
  timeoutMs: number,
): Promise<void> {
  let gone = false;
  exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (!gone) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`did not listen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("exited before serving");
}
