/**
 * Runs the Auth binary: `auth migrate` to completion, `auth serve` until
 * `/health` answers, and stops it (SIGTERM, then SIGKILL after 5 s). Its own
 * output is kept, bounded, only to explain a failed start; it is never
 * printed otherwise. Internal: use `../auth.ts`.
 */
import type { AuthBuild } from "./config.ts";

const TAIL_BYTES = 4000;
const START_TIMEOUT_MS = 20_000;

/** Drains a child stream into a bounded tail (the last `TAIL_BYTES`). */
function keepTail(stream: ReadableStream<Uint8Array>): () => string {
  let tail = "";
  const decoder = new TextDecoder();
  (async () => {
    for await (const chunk of stream) {
      tail = (tail + decoder.decode(chunk, { stream: true })).slice(-TAIL_BYTES);
    }
  })().catch(() => {});
  return () => tail;
}

/** Runs `auth migrate`; throws with Auth's output when it fails. */
export async function runMigrate(build: AuthBuild, env: Record<string, string>): Promise<void> {
  const out = await new Deno.Command(build.bin, {
    args: ["migrate"],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    throw new Error(`auth migrate failed: ${text.slice(-TAIL_BYTES)}`);
  }
}

/** A running `auth serve`. */
export interface AuthProcess {
  /** GoTrue's `/health` body (version, name, description). */
  health: { version: string; name: string; description: string };
  /** Stops the process and waits for it. Idempotent. */
  stop(): Promise<void>;
  /** Kills it now without waiting (for `unload` handlers, which cannot wait). */
  stopSync(): void;
}

async function waitForHealth(
  url: string,
  child: Deno.ChildProcess,
  exited: () => boolean,
  tail: () => string,
): Promise<AuthProcess["health"]> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`auth serve exited at start: ${tail()}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return await res.json();
      await res.body?.cancel();
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    child.kill("SIGKILL");
  } catch { /* already gone */ }
  throw new Error(`auth serve did not answer ${url}/health within 20 s: ${tail()}`);
}

/** Starts `auth serve` with `env` and waits until `url/health` answers 200. */
export async function spawnServe(
  build: AuthBuild,
  env: Record<string, string>,
  url: string,
): Promise<AuthProcess> {
  const child = new Deno.Command(build.bin, {
    args: ["serve"],
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const tails = [keepTail(child.stdout), keepTail(child.stderr)];
  const tail = () => tails.map((t) => t()).join("").slice(-TAIL_BYTES);
  let done = false;
  const status = child.status.finally(() => done = true);
  const health = await waitForHealth(url, child, () => done, tail);
  let stopped: Promise<void> | undefined;
  return {
    health,
    stopSync() {
      try {
        if (!done) child.kill("SIGKILL");
      } catch { /* already gone */ }
    },
    stop() {
      stopped ??= (async () => {
        const kill = (signal: Deno.Signal) => {
          try {
            if (!done) child.kill(signal);
          } catch { /* exited meanwhile (a terminal's Ctrl-C reaches it too) */ }
        };
        kill("SIGTERM");
        const timer = setTimeout(() => kill("SIGKILL"), 5000);
        await status;
        clearTimeout(timer);
      })();
      return stopped;
    },
  };
}
