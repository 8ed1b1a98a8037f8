/**
 * A throwaway functions folder served by the local gateway: `_shared` is a
 * link to this repo's, so a function written here imports
 * `../_shared/auth-guard.ts` exactly as one under `supabase/functions/` does.
 * The gateway gets the guard's test environment (`testAuthEnv`) as what the
 * platform injects.
 */
import { fileURLToPath } from "node:url";
import { type Gateway, serveFunctions } from "../../supabase/local/gateway.ts";
import type { RuntimeLimits } from "../../supabase/local/runtime.ts";
import { captureLogs } from "./guard_harness.ts";
import { testAuthEnv } from "./tokens.ts";

const SHARED = fileURLToPath(new URL("../../supabase/functions/_shared", import.meta.url));

/** A served temp functions folder; `close()` stops the gateway and removes the folder. */
export interface FunctionsSandbox {
  dir: string;
  gateway: Gateway;
  /** Log events so far (the gateway's and the functions' own lines). */
  events(): Record<string, unknown>[];
  /** Writes `<dir>/<name>/index.ts` (or `file`). */
  write(name: string, source: string, file?: string): Promise<void>;
  /** POSTs/GETs `/functions/v1/<path>`. */
  call(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Creates the folder with `functions` written, then starts the gateway on a free port.
 *
 * @example
 * const box = await functionsSandbox({ hello: `Deno.serve(() => new Response("hi"));` });
 * try { await (await box.call("hello")).text(); } finally { await box.close(); }
 */
export async function functionsSandbox(
  functions: Record<string, string>,
  o: { limits?: Partial<RuntimeLimits>; env?: Record<string, string> } = {},
): Promise<FunctionsSandbox> {
  const dir = await Deno.makeTempDir({ prefix: "edge-guard-fns-" });
  await Deno.symlink(SHARED, `${dir}/_shared`);
  const write = async (name: string, source: string, file = "index.ts") => {
    await Deno.mkdir(`${dir}/${name}`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${name}/${file}`, source);
  };
  for (const [name, source] of Object.entries(functions)) await write(name, source);
  const { logger, events } = captureLogs();
  const gateway = await serveFunctions({
    port: 0,
    functionsDir: dir,
    env: { ...testAuthEnv().vars, ...o.env },
    limits: o.limits,
    logger,
  });
  return {
    dir,
    gateway,
    events,
    write,
    call: (path, init) => fetch(`${gateway.functionsUrl}/${path}`, init),
    async close() {
      await gateway.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Polls `check` every 50 ms until it returns true, or throws after `ms`. */
export async function eventually(what: string, ms: number, check: () => Promise<boolean>) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
