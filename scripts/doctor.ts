/**
 * `./dev doctor`: checks that the cron jobs can call the
 * edge functions and prints a table of findings, each with a severity and a
 * fix. Exit code: 0 healthy, 1 when any finding is an error, 2 on a usage error.
 * Connects read-only and never prints a secret value. See README.md, "Doctor".
 *
 * @module
 */
import { connectReadOnly, type DoctorOptions, type Finding, runDoctor } from "./_doctor/checks.ts";
import {
  type EnvReader,
  loadEnvs,
  parseArgs,
  resolveDbUrl,
  type StackInfo,
  UsageError,
} from "./_doctor/cli.ts";
import { exitCode, formatReport, summarize } from "./_doctor/report.ts";
import { errorText, finding } from "./_doctor/types.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

const USAGE = `usage: ./dev doctor [options]
  --db-url URL             database (default: EDGE_GUARD_DB_URL, SUPABASE_DB_URL,
                           or dbUrl in .local/stack.json from ./dev run)
  --since 24h              look-back window for responses and cron runs (s, m, h, d)
  --env-file [label=]path  a function environment (dotenv); repeat, one per function
                           (default: functionsEnvFile in .local/stack.json)
  --cron-secret-in-use     every environment must set CRON_SECRET
  --skip-env               skip the function environment checks
  --json                   print findings as JSON`;

/** Where the doctor's CLI reads and writes. */
export interface DoctorIo {
  env: EnvReader;
  stdout(text: string): void;
  stderr(text: string): void;
  readText(path: string): Promise<string>;
  /** Default: `.local/stack.json` in the repository. */
  stackFile: string;
}

const defaultIo: DoctorIo = {
  env: Deno.env,
  stdout: (text) => console.log(text),
  stderr: (text) => console.error(text),
  readText: (path) => Deno.readTextFile(path),
  stackFile: `${ROOT}/.local/stack.json`,
};

async function readStack(io: DoctorIo): Promise<StackInfo> {
  let text: string;
  try {
    text = await io.readText(io.stackFile);
  } catch {
    return {};
  }
  try {
    const s = JSON.parse(text);
    const str = (v: unknown) => typeof v === "string" && v !== "" ? v : undefined;
    return { dbUrl: str(s?.dbUrl), functionsEnvFile: str(s?.functionsEnvFile) };
  } catch {
    io.stderr(`doctor: ignoring ${io.stackFile}: not valid JSON`);
    return {};
  }
}

/** The URL without its password (or anything after the database name). */
function printableUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${u.username}@` : ""}${u.host}${u.pathname}`;
  } catch {
    return "(unparseable URL)";
  }
}

/** Runs the checks; once more without the startup parameter if a pooler refuses it. */
async function check(dbUrl: string, options: DoctorOptions): Promise<Finding[]> {
  const run = async (sessionReadOnly: boolean) => {
    const sql = connectReadOnly(dbUrl, { sessionReadOnly });
    return await runDoctor(sql, options).finally(() => sql.end({ timeout: 5 }));
  };
  const findings = await run(true);
  const refused = findings.some((f) =>
    f.id === "db_unreachable" && /unsupported startup parameter/i.test(f.detail)
  );
  if (!refused) return findings;
  const detail = "the pooler refused default_transaction_read_only; " +
    "the checks ran in a begin read only transaction instead";
  return [finding("db_session_not_read_only", "info", "database", detail), ...await run(false)];
}

/**
 * Runs the doctor with command-line arguments.
 *
 * @param argv arguments, e.g. `Deno.args`.
 * @param io environment, output sinks, file reader. Default: the process's.
 * @returns the exit code.
 * @example
 * Deno.exit(await main(["--db-url", url, "--skip-env"]));
 */
export async function main(argv: readonly string[], io: DoctorIo = defaultIo): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.help) {
      io.stdout(USAGE);
      return 0;
    }
    const stack = await readStack(io);
    const dbUrl = resolveDbUrl(args, io.env, stack);
    if (!dbUrl) throw new UsageError("no database URL: pass --db-url or start ./dev run");
    const envs = await loadEnvs(args, io.env, stack, io.readText, ROOT);
    const { sinceMs, skipEnv, cronSecretInUse } = args;
    const at = new Date();
    const now = () => at;
    const findings = await check(dbUrl, { sinceMs, skipEnv, cronSecretInUse, envs, now });
    if (args.json) {
      io.stdout(JSON.stringify({ findings, summary: summarize(findings) }, null, 2));
    } else {
      const since = new Date(at.getTime() - sinceMs).toISOString();
      const labels = args.skipEnv ? "skipped" : envs.map((e) => e.label).join(", ") || "none";
      io.stdout(
        `edge-guard doctor: ${printableUrl(dbUrl)} (read-only), since ${since}, ` +
          `environments: ${labels}\n\n${formatReport(findings)}`,
      );
    }
    return exitCode(findings);
  } catch (err) {
    io.stderr(`doctor: ${errorText(err)}`);
    if (err instanceof UsageError) io.stderr(USAGE);
    return 2;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
