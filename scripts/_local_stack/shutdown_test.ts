import assert from "node:assert/strict";
import { leftoversMessage, SAME_PRESS_MS, signalJudge, type SignalVerdict } from "./shutdown.ts";

Deno.test("signalJudge: a burst is one request; only a signal clearly later abandons", () => {
  const cases: { name: string; at: number[]; verdicts: SignalVerdict[] }[] = [
    { name: "one signal", at: [0], verdicts: ["stop"] },
    {
      name: "the process group plus a forwarding parent (same ms)",
      at: [0, 0, 1],
      verdicts: ["stop", "same", "same"],
    },
    { name: "a second press 1.5 s later", at: [0, 1500], verdicts: ["stop", "same"] },
    { name: "exactly the window", at: [0, SAME_PRESS_MS], verdicts: ["stop", "same"] },
    { name: "a second press 2.5 s later", at: [0, 2500], verdicts: ["stop", "abandon"] },
    {
      name: "a burst, then a later press",
      at: [0, 3, 4000],
      verdicts: ["stop", "same", "abandon"],
    },
  ];
  for (const { name, at, verdicts } of cases) {
    let now = 0;
    const judge = signalJudge({ now: () => now });
    const got = at.map((t) => {
      now = 1_000_000 + t;
      return judge();
    });
    assert.deepEqual(got, verdicts, name);
  }
});

Deno.test("leftoversMessage: names the postmaster pid, data dir, state files and the cleanup", () => {
  const cases: {
    name: string;
    dataDir: string | null;
    stateFiles: string[];
    pid: number | null;
    expected: string[];
  }[] = [
    {
      name: "running stack",
      dataDir: "/tmp/edge-guard-pg-1",
      stateFiles: [".local/stack.json", ".local/functions.env"],
      pid: 4242,
      expected: [
        "left behind: PostgreSQL, pid 4242, data directory /tmp/edge-guard-pg-1",
        "left behind: state file .local/stack.json",
        "left behind: state file .local/functions.env",
        "to clean up: kill -QUIT 4242; rm -rf /tmp/edge-guard-pg-1 .local/stack.json " +
        ".local/functions.env",
      ],
    },
    {
      name: "server already gone",
      dataDir: "/tmp/edge-guard-pg-2",
      stateFiles: [],
      pid: null,
      expected: [
        "left behind: PostgreSQL data directory /tmp/edge-guard-pg-2 (no postmaster.pid: not running)",
        "to clean up: rm -rf /tmp/edge-guard-pg-2",
      ],
    },
    {
      name: "before PostgreSQL started",
      dataDir: null,
      stateFiles: [],
      pid: null,
      expected: [
        "left behind: nothing known yet (PostgreSQL had not started; check /tmp/edge-guard-pg-*)",
      ],
    },
  ];
  for (const { name, dataDir, stateFiles, pid, expected } of cases) {
    assert.deepEqual(leftoversMessage({ dataDir, stateFiles }, () => pid), expected, name);
  }
});

Deno.test("leftoversMessage: reads the pid from the data directory's postmaster.pid", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "edge-guard-leftovers-" });
  try {
    await Deno.mkdir(`${dataDir}/data`);
    await Deno.writeTextFile(`${dataDir}/data/postmaster.pid`, "31337\n/tmp/x\n");
    assert.match(leftoversMessage({ dataDir, stateFiles: [] })[0], /pid 31337,/);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
