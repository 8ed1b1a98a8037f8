/**
 * `./dev run` stops everything on one signal sent the way a terminal sends it:
 * to the whole foreground process group. Each case starts `setsid ./dev run`
 * (its own session and process group, as a terminal's job), waits for "Local
 * stack ready", sends ONE signal to the group and checks that within 30 s the
 * session is empty, PostgreSQL is gone, the data directory and state files are
 * removed and the exit status is 0.
 */
import assert from "node:assert/strict";

const repoRoot = new URL("../", import.meta.url).pathname;
const DEADLINE_MS = 30_000;

/** Pids of the live (non-zombie) processes whose session id is `sid` (/proc/<pid>/stat field 6). */
function sessionMembers(sid: number): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      // Fields after the parenthesised command: state ppid pgrp session ...
      const [state, , , session] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(session) === sid && state !== "Z") pids.push(Number(entry.name));
    } catch { /* exited while we looked */ }
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(Deno.readTextFileSync(`/proc/${pid}/status`));
  } catch {
    return false;
  }
}

async function readUntil(reader: ReadableStreamDefaultReader<string>, marker: string) {
  let text = "";
  while (!text.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`./dev run exited before "${marker}"`);
    text += value;
  }
}

async function withDeadline<T>(what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} after ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  const until = Date.now() + DEADLINE_MS;
  while (!check()) {
    if (Date.now() > until) throw new Error(`${what} after ${DEADLINE_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** After a failure: kills the session, stops the postmaster (SIGQUIT: immediate shutdown), removes its data. */
async function cleanUp(sid: number, pgPid: number, dataDir: string): Promise<void> {
  const kill = (pid: number, signal: Deno.Signal) => {
    try {
      Deno.kill(pid, signal);
    } catch { /* gone */ }
  };
  sessionMembers(sid).forEach((pid) => kill(pid, "SIGKILL"));
  if (pgPid && alive(pgPid)) {
    kill(pgPid, "SIGQUIT");
    await waitUntil(() => !alive(pgPid), "postgres ignores SIGQUIT").catch(() => {});
  }
  if (dataDir) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
}

interface Case {
  name: string;
  signal: Deno.Signal;
  /** Copies sent back to back to the group (a terminal plus parents forwarding it). */
  copies: number;
  /** Also signal the postmaster, as when PostgreSQL shares the terminal's group. */
  postgresToo: boolean;
}

const CASES: Case[] = [
  { name: "one SIGINT (Ctrl-C in a terminal)", signal: "SIGINT", copies: 1, postgresToo: false },
  { name: "one SIGHUP (the terminal closed)", signal: "SIGHUP", copies: 1, postgresToo: false },
  {
    name: "one SIGTERM (kill, a process manager)",
    signal: "SIGTERM",
    copies: 1,
    postgresToo: false,
  },
  { name: "SIGINT three times at once", signal: "SIGINT", copies: 3, postgresToo: false },
  {
    name: "SIGINT that PostgreSQL gets too (fast shutdown under way)",
    signal: "SIGINT",
    copies: 1,
    postgresToo: true,
  },
];

for (const { name, signal, copies, postgresToo } of CASES) {
  Deno.test(`./dev run: ${name} to the process group stops everything`, async () => {
    const stateDir = await Deno.makeTempDir({ prefix: "edge-guard-state-" });
    const child = new Deno.Command("setsid", {
      args: ["./dev", "run", "--api-port", "0", "--db-port", "0"],
      cwd: repoRoot,
      env: { LOCAL_STACK_STATE_DIR: stateDir, LOCAL_STACK_PAUSE_CRON: "1", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const stderr = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (chunk) => void (said += chunk) }),
    );
    let said = "";
    // setsid(1) run by a non-leader calls setsid(2) and execs: the child's pid is the session id.
    const sid = child.pid;
    let pgPid = 0, dataDir = "";
    try {
      await withDeadline('no "Local stack ready"', readUntil(reader, "Local stack ready"));
      const state = JSON.parse(await Deno.readTextFile(`${stateDir}/stack.json`));
      dataDir = state.dataDir;
      pgPid = Number((await Deno.readTextFile(`${dataDir}/data/postmaster.pid`)).split("\n")[0]);
      assert.ok(alive(pgPid), "postgres is not running");
      assert.ok(sessionMembers(sid).length > 0);

      if (postgresToo) Deno.kill(pgPid, signal);
      for (let i = 0; i < copies; i++) Deno.kill(-sid, signal);
      const draining = (async () => {
        while (!(await reader.read()).done) { /* stdout closes when ./dev exits */ }
      })();
      const status = await withDeadline("./dev run did not exit", child.status);
      await draining;
      assert.equal(status.code, 0, `exit status after ${signal}`);
      await waitUntil(() => sessionMembers(sid).length === 0, "processes of the session remain");
      await waitUntil(() => !alive(pgPid), `postgres (pid ${pgPid}) still runs`);
      await assert.rejects(Deno.stat(dataDir), Deno.errors.NotFound);
      await assert.rejects(Deno.stat(`${stateDir}/stack.json`), Deno.errors.NotFound);
      await assert.rejects(Deno.stat(`${stateDir}/functions.env`), Deno.errors.NotFound);
    } catch (err) {
      // Not the JSON log lines (the suite's leak scan reads those), nor anything key-like.
      const lines = said.split("\n").filter((l) =>
        !l.startsWith("{") && !/eyJ|sb_|secret|Bearer|token/i.test(l)
      ).slice(-40);
      throw new Error(`${err}\n./dev run said:\n${lines.join("\n")}`, { cause: err });
    } finally {
      await cleanUp(sid, pgPid, dataDir);
      await reader.cancel().catch(() => {});
      await child.status;
      await stderr.catch(() => {});
      await Deno.remove(stateDir, { recursive: true });
    }
  });
}
