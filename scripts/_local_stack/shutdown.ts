/**
 * How `./dev run` reacts to signals. A terminal's Ctrl-C reaches every process
 * of its foreground group, and a parent may forward the same signal again, so
 * one key press can arrive several times within milliseconds: signals within
 * {@linkcode SAME_PRESS_MS} of the first count as one request to stop. Only a
 * signal clearly later skips the cleanup, and then the CLI says what it leaves
 * behind and how to remove it. Imported only by `scripts/local_stack.ts`.
 *
 * @module
 */

/** Ctrl-C, `kill` / a process manager, a closed terminal: each stops the stack cleanly. */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** One of {@linkcode STOP_SIGNALS}. */
export type StopSignal = typeof STOP_SIGNALS[number];

/** Signals this close to the first one are the same request (ms). */
export const SAME_PRESS_MS = 2_000;

/** `stop`: the first signal; `same`: part of the same press; `abandon`: a later one, exit now. */
export type SignalVerdict = "stop" | "same" | "abandon";

/**
 * Classifies each signal by when it arrives relative to the first one.
 *
 * @param options `now` (default `Date.now`), `windowMs` (default {@linkcode SAME_PRESS_MS}).
 * @returns a function to call once per received signal.
 * @example
 * const judge = signalJudge();
 * judge(); // "stop"
 * judge(); // "same" (within 2 s)
 */
export function signalJudge(
  options: { now?: () => number; windowMs?: number } = {},
): () => SignalVerdict {
  const now = options.now ?? Date.now;
  const windowMs = options.windowMs ?? SAME_PRESS_MS;
  let first: number | null = null;
  return () => {
    const t = now();
    if (first === null) {
      first = t;
      return "stop";
    }
    return t - first > windowMs ? "abandon" : "same";
  };
}

/** What a stack that is abandoned mid-way leaves: its data directory (once known) and state files. */
export interface Leftovers {
  /** The cluster's directory, or null when PostgreSQL had not started yet. */
  dataDir: string | null;
  /** `stack.json` and `functions.env` when written. */
  stateFiles: string[];
}

function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(Deno.readTextFileSync(`${dataDir}/data/postmaster.pid`).split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * The lines printed when cleanup is skipped: what is left and the commands that remove it.
 *
 * @param left the data directory and state files.
 * @param readPid reads the postmaster pid of a data directory. Default: its `postmaster.pid`.
 * @example
 * leftoversMessage({ dataDir: "/tmp/edge-guard-pg-1", stateFiles: [] }, () => 42);
 */
export function leftoversMessage(
  left: Leftovers,
  readPid: (dataDir: string) => number | null = postmasterPid,
): string[] {
  if (left.dataDir === null) {
    return [
      "left behind: nothing known yet (PostgreSQL had not started; check /tmp/edge-guard-pg-*)",
    ];
  }
  const pid = readPid(left.dataDir);
  const lines = [
    pid === null
      ? `left behind: PostgreSQL data directory ${left.dataDir} (no postmaster.pid: not running)`
      : `left behind: PostgreSQL, pid ${pid}, data directory ${left.dataDir}`,
    ...left.stateFiles.map((f) => `left behind: state file ${f}`),
  ];
  const cleanup = [
    ...(pid === null ? [] : [`kill -QUIT ${pid}`]),
    `rm -rf ${[left.dataDir, ...left.stateFiles].join(" ")}`,
  ];
  return [...lines, `to clean up: ${cleanup.join("; ")}`];
}

/** Writes a line to stderr; never throws (after SIGHUP the terminal may be gone). */
export function say(line: string): void {
  try {
    Deno.stderr.writeSync(new TextEncoder().encode(`[local-stack] ${line}\n`));
  } catch { /* no terminal left to tell */ }
}

/**
 * Listens for {@linkcode STOP_SIGNALS}; resolves on the first. A burst counts as one;
 * a later signal prints the leftovers and exits 130 without cleanup. From the
 * first signal on, dropped database connections are not fatal
 * ({@linkcode tolerateDroppedConnections}).
 *
 * @param leftovers what exists right now, asked only when cleanup is skipped.
 * @returns the first signal received.
 * @example
 * const signalled = listenForStop(() => ({ dataDir: null, stateFiles: [] }));
 */
export function listenForStop(leftovers: () => Leftovers): Promise<StopSignal> {
  const judge = signalJudge();
  let toldSame = false, stopping = false;
  tolerateDroppedConnections(() => stopping);
  return new Promise((resolve) => {
    for (const signal of STOP_SIGNALS) {
      Deno.addSignalListener(signal, () => {
        const verdict = judge();
        stopping = true;
        if (verdict === "stop") return resolve(signal);
        if (verdict === "same") {
          if (!toldSame) say(`${signal} again within 2 s: the same request, still stopping`);
          toldSame = true;
          return;
        }
        say(`${signal} again: exiting without cleanup`);
        leftoversMessage(leftovers()).forEach(say);
        Deno.exit(130);
      });
    }
  });
}

const CONNECTION_ERRORS = /^(ECONNRESET|ECONNREFUSED|EPIPE|CONNECTION_(CLOSED|ENDED|DESTROYED))$/;

/**
 * A database connection that drops while nobody awaits it (postgres.js under
 * Deno's node:net can surface the socket's ECONNRESET as an unhandled
 * rejection) is logged, not fatal. It happens when PostgreSQL stops first, for
 * example on the terminal's own SIGINT, sometimes before the CLI has even seen
 * that signal; crashing there would skip the cleanup. Any other error still is fatal.
 *
 * @param stopping whether the stack is stopping (only the message differs).
 * @example
 * tolerateDroppedConnections(() => false);
 */
export function tolerateDroppedConnections(stopping: () => boolean): void {
  globalThis.addEventListener("unhandledrejection", (e) => {
    const code = String((e.reason as { code?: unknown } | null)?.code ?? "");
    if (!CONNECTION_ERRORS.test(code)) return;
    e.preventDefault();
    say(
      stopping()
        ? `while stopping: a database connection dropped (${code})`
        : `a database connection dropped (${code}); if PostgreSQL stopped, Ctrl-C stops the rest`,
    );
  });
}
