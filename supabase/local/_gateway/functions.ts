/**
 * The gateway's isolates: one per function, booted on first use (or at once
 * after a save), replaced by a new one when a file of the function or of
 * `_shared` changes, and kept failed (503 BOOT_ERROR) until the next save.
 * Imported only by `gateway.ts`.
 *
 * @module
 */
import type { Logger } from "../../functions/_shared/log.ts";
import { type Isolate, type RuntimeLimits, startIsolate } from "../runtime.ts";

/** What the registry starts isolates with. */
export interface RegistryOptions {
  dir: string;
  env: Record<string, string>;
  /** The secrets file; undefined: `<dir>/.env` when it exists at each isolate start. */
  envFile: string | null | undefined;
  limits: RuntimeLimits;
  logger: Logger;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

function existing(path: string): string | null {
  try {
    return Deno.statSync(path).isFile ? path : null;
  } catch {
    return null;
  }
}

/** A function's state: its isolate, or the boot error that stays until the next save. */
type Slot = { isolate: Isolate; booted: Promise<Error | null> };

const DEBOUNCE_MS = 40;

/** The running isolates by function name. */
export function isolateRegistry(o: RegistryOptions) {
  const slots = new Map<string, Slot>();
  const all = new Set<Isolate>();
  // Saves in progress: a request for that function waits for the new isolate.
  const saving = new Map<string, {
    timer: ReturnType<typeof setTimeout>;
    done: Promise<void>;
    resolve: () => void;
  }>();

  function boot(name: string): Slot {
    const envFile = o.envFile !== undefined ? o.envFile : existing(`${o.dir}/.env`);
    const isolate = startIsolate({
      name,
      file: `${o.dir}/${name}/index.ts`,
      functionsDir: o.dir,
      env: o.env,
      envFile,
      limits: o.limits,
      logger: o.logger,
      onExit() {
        all.delete(isolate);
        const slot = slots.get(name);
        // A crashed or limit-stopped isolate is replaced on the next request;
        // a failed boot stays failed until the next save.
        if (slot?.isolate === isolate) {
          slot.booted.then((err) => err === null && slots.delete(name));
        }
      },
    });
    all.add(isolate);
    const slot = { isolate, booted: isolate.ready };
    slots.set(name, slot);
    return slot;
  }

  return {
    /** The isolate serving `name`, its boot error, or null when there is no such function. */
    async get(name: string): Promise<Isolate | Error | null> {
      await saving.get(name)?.done;
      let slot = slots.get(name);
      if (slot === undefined) {
        if (!(await isFile(`${o.dir}/${name}/index.ts`))) return null;
        slot = slots.get(name) ?? boot(name);
      }
      const err = await slot.booted;
      return err ?? slot.isolate;
    },
    /**
     * A file of `name` changed: once no change came for a moment, retire the
     * old isolate and boot a new one (if the function still exists).
     */
    changed(name: string): void {
      const pending = saving.get(name);
      if (pending !== undefined) clearTimeout(pending.timer);
      let resolve = pending?.resolve ?? (() => {});
      const done = pending?.done ?? new Promise<void>((r) => (resolve = r));
      const timer = setTimeout(async () => {
        saving.delete(name);
        const old = slots.get(name);
        slots.delete(name);
        old?.isolate.retire();
        if (await isFile(`${o.dir}/${name}/index.ts`)) boot(name);
        resolve();
      }, DEBOUNCE_MS);
      saving.set(name, { timer, done, resolve });
    },
    /** Names with a slot now. */
    names: () => [...slots.keys()],
    /** Kills every isolate and waits for them. */
    async stopAll(): Promise<void> {
      for (const pending of saving.values()) clearTimeout(pending.timer), pending.resolve();
      saving.clear();
      slots.clear();
      await Promise.all([...all].map((i) => i.stop()));
    },
  };
}

/** The registry's type. */
export type IsolateRegistry = ReturnType<typeof isolateRegistry>;

/**
 * Watches the functions folder: a change under `<name>/` reloads that
 * function; under `_shared/` (or any `_` folder) or a dot file of the folder
 * itself (the secrets file), every running one.
 */
export function watchFunctions(dir: string, registry: IsolateRegistry): { close(): Promise<void> } {
  const watcher = Deno.watchFs(dir, { recursive: true });
  const loop = (async () => {
    for await (const event of watcher) {
      for (const path of event.paths) {
        const rel = path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : null;
        if (rel === null) continue;
        const top = rel.split("/")[0];
        const isFolderFile = !rel.includes("/");
        if (top.startsWith("_") || (isFolderFile && top.startsWith("."))) {
          for (const name of registry.names()) registry.changed(name);
        } else if (!isFolderFile) registry.changed(top);
      }
    }
  })();
  return {
    async close() {
      watcher.close();
      await loop.catch(() => {});
    },
  };
}
