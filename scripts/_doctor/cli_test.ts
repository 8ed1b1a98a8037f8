import assert from "node:assert/strict";
import {
  loadEnvs,
  parseArgs,
  parseDotenv,
  parseDuration,
  resolveDbUrl,
  UsageError,
} from "./cli.ts";
import { exitCode, formatReport } from "./report.ts";
import { finding } from "./types.ts";
import { type DoctorIo, main } from "../doctor.ts";

const mapEnv = (vars: Record<string, string>) => ({
  get: (name: string) => vars[name],
  toObject: () => ({ ...vars }),
});

Deno.test("parseArgs: flags, values, labelled env files, = syntax", () => {
  const args = parseArgs([
    "--db-url=postgres://h/db",
    "--since",
    "30m",
    "--env-file",
    "bot-executor=./a=b.env",
    "--env-file",
    "/tmp/x.env",
    "--skip-env",
    "--json",
    "--cron-secret-in-use",
  ]);
  assert.equal(args.dbUrl, "postgres://h/db");
  assert.equal(args.sinceMs, 1_800_000);
  assert.deepEqual(args.envFiles, [{ label: "bot-executor", path: "./a=b.env" }, {
    path: "/tmp/x.env",
  }]);
  assert.ok(args.skipEnv && args.json && args.cronSecretInUse && !args.help);
  assert.equal(parseArgs([]).sinceMs, 86_400_000);
  assert.throws(() => parseArgs(["--db-url"]), UsageError);
  assert.throws(() => parseArgs(["--nope", "x"]), UsageError);
  assert.throws(() => parseDuration("1w"), UsageError);
  assert.equal(parseDuration("7d"), 604_800_000);
});

Deno.test("parseDotenv: export, quotes, comments", () => {
  const vars = parseDotenv(
    `# functions\nexport SUPABASE_URL=http://127.0.0.1:54321 # local\n` +
      `CRON_SECRET="a b\\nc"\nJWT_SECRET='it''s # not a comment'\nBAD LINE\nEMPTY=\n` +
      `JSON="q\\"\\u0041\\\\"\nLOOSE="a\\x"\n`,
  );
  assert.deepEqual(vars, {
    SUPABASE_URL: "http://127.0.0.1:54321",
    CRON_SECRET: "a b\nc",
    JWT_SECRET: "it''s # not a comment",
    EMPTY: "",
    JSON: 'q"A\\',
    LOOSE: "a\\x",
  });
});

Deno.test("resolveDbUrl: flag, EDGE_GUARD_DB_URL, SUPABASE_DB_URL, then the local stack", () => {
  const stack = { dbUrl: "postgres://stack/db" };
  const env = { EDGE_GUARD_DB_URL: "postgres://eg/db", SUPABASE_DB_URL: "postgres://sb/db" };
  assert.equal(
    resolveDbUrl(parseArgs(["--db-url", "postgres://f/db"]), mapEnv(env), stack),
    "postgres://f/db",
  );
  assert.equal(resolveDbUrl(parseArgs([]), mapEnv(env), stack), "postgres://eg/db");
  assert.equal(
    resolveDbUrl(parseArgs([]), mapEnv({ SUPABASE_DB_URL: "postgres://sb/db" }), stack),
    "postgres://sb/db",
  );
  assert.equal(resolveDbUrl(parseArgs([]), mapEnv({}), stack), "postgres://stack/db");
  assert.equal(resolveDbUrl(parseArgs([]), mapEnv({}), {}), undefined);
});

Deno.test("loadEnvs: env files, the stack's file, this process, or none", async () => {
  const files: Record<string, string> = { "/root/.local/f.env": "CRON_SECRET=x", "a.env": "A=1" };
  const read = (path: string) => Promise.resolve(files[path] ?? "");
  const stack = { functionsEnvFile: ".local/f.env" };
  const proc = mapEnv({ SUPABASE_URL: "https://x.supabase.co" });
  const one = await loadEnvs(parseArgs(["--env-file", "a.env"]), proc, stack, read, "/root");
  assert.deepEqual(one, [{ label: "functions", vars: { A: "1" } }]);
  const fromStack = await loadEnvs(parseArgs([]), proc, stack, read, "/root");
  assert.deepEqual(fromStack, [{ label: "functions", vars: { CRON_SECRET: "x" } }]);
  const fromProcess = await loadEnvs(parseArgs([]), proc, {}, read, "/root");
  assert.deepEqual(fromProcess.map((e) => e.label), ["process"]);
  assert.deepEqual(await loadEnvs(parseArgs([]), mapEnv({}), {}, read, "/root"), []);
  assert.deepEqual(await loadEnvs(parseArgs(["--skip-env"]), proc, stack, read, "/root"), []);
  const two = await loadEnvs(
    parseArgs(["--env-file", "a.env", "--env-file", "b=a.env"]),
    proc,
    {},
    read,
    "/",
  );
  assert.deepEqual(two.map((e) => e.label), ["a.env#1", "b"]);
});

Deno.test("formatReport: a fixed-width table, errors first, fixes below, a summary", () => {
  const findings = [
    finding("cron_job_ok", "ok", "bot-scheduler", "calls /functions/v1/bot-scheduler"),
    finding(
      "cron_job_anon_key",
      "error",
      "odoo-crm-sync-incremental",
      "sends the anon key",
      "re-run",
    ),
    finding("env_not_checked", "info", "env", "skipped"),
  ];
  const lines = formatReport(findings).split("\n");
  assert.deepEqual(lines, [
    "SEVERITY  FINDING            SUBJECT                    DETAIL",
    "--------  -----------------  -------------------------  ------",
    "error     cron_job_anon_key  odoo-crm-sync-incremental  sends the anon key",
    "          fix: re-run",
    "info      env_not_checked    env                        skipped",
    "ok        cron_job_ok        bot-scheduler              calls /functions/v1/bot-scheduler",
    "",
    "1 error, 0 warnings, 1 info, 1 ok",
  ]);
  assert.equal(exitCode(findings), 1);
  assert.equal(exitCode(findings.filter((f) => f.severity !== "error")), 0);
});

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const sinks: DoctorIo = {
    env: mapEnv(env),
    stdout: (t) => out.push(t),
    stderr: (t) => out.push(t),
    readText: () => Promise.reject(new Deno.errors.NotFound("no stack")),
    stackFile: "/nonexistent/stack.json",
  };
  return { sinks, text: () => out.join("\n") };
}

Deno.test("main: usage errors exit 2, --help exits 0", async () => {
  const bad = io();
  assert.equal(await main(["--since", "forever"], bad.sinks), 2);
  assert.match(bad.text(), /--since: expected like 30m/);
  const none = io();
  assert.equal(await main(["--skip-env"], none.sinks), 2);
  assert.match(none.text(), /no database URL/);
  const help = io();
  assert.equal(await main(["--help"], help.sinks), 0);
  assert.match(help.text(), /--env-file \[label=\]path/);
});

Deno.test("main: an unreachable database is an error finding, without the password", async () => {
  const out = io();
  const url = "postgres://doctor:s3cret-pass@127.0.0.1:1/postgres";
  assert.equal(await main(["--db-url", url, "--skip-env", "--json"], out.sinks), 1);
  const report = JSON.parse(out.text());
  assert.equal(report.findings[0].id, "db_unreachable");
  assert.ok(!out.text().includes("s3cret-pass"));
});
