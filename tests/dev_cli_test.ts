/** `./dev`'s own usage: help flags print it and exit 0; an unknown or missing command exits 2. */
import assert from "node:assert/strict";

const repoRoot = new URL("../", import.meta.url).pathname;

const CASES: { args: string[]; code: number; stream: "stdout" | "stderr" }[] = [
  { args: ["help"], code: 0, stream: "stdout" },
  { args: ["--help"], code: 0, stream: "stdout" },
  { args: ["-h"], code: 0, stream: "stdout" },
  { args: ["no-such-command"], code: 2, stream: "stderr" },
  { args: [], code: 2, stream: "stderr" },
];

Deno.test("./dev: help, unknown command, no command", async () => {
  for (const { args, code, stream } of CASES) {
    const out = await new Deno.Command("./dev", {
      args,
      cwd: repoRoot,
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    const text = new TextDecoder().decode(out[stream]);
    const name = `./dev ${args.join(" ")}`;
    assert.equal(out.code, code, name);
    for (
      const line of [
        "run [flags]",
        "test <file>...",
        "doctor",
        "bench",
        "try                  ready-to-paste",
        "on the PATH",
      ]
    ) {
      assert.ok(text.includes(line), `${name}: usage lacks "${line}"`);
    }
    assert.ok(!text.includes("\u001b["), `${name}: ANSI escapes`);
  }
});
