/**
 * Command-line parsing for `./dev doctor`: arguments, durations, dotenv
 * files, and where the database URL and function environments come from.
 */
import type { FunctionEnv } from "./types.ts";

/** Parsed command line. */
export interface CliArgs {
  dbUrl?: string;
  /** `--since`, in ms. Default 24 h. */
  sinceMs: number;
  /** `--env-file [label=]path`, in order. */
  envFiles: { label?: string; path: string }[];
  skipEnv: boolean;
  cronSecretInUse: boolean;
  json: boolean;
  help: boolean;
}

/** What `./dev run` writes to `.local/stack.json` (only these fields are read). */
export interface StackInfo {
  dbUrl?: string;
  functionsEnvFile?: string;
}

/**
 * A command-line mistake: the message is printed with the usage, exit code 2.
 *
 * @example
 * throw new UsageError("--since needs a value");
 */
export class UsageError extends Error {}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `90s`, `30m`, `24h`, `7d` -> milliseconds.
 *
 * @example
 * parseDuration("24h"); // 86400000
 */
export function parseDuration(text: string): number {
  const m = text.trim().match(/^(\d+)\s*([smhd])$/);
  if (!m || Number(m[1]) <= 0) throw new UsageError(`--since: expected like 30m, 24h or 7d`);
  return Number(m[1]) * UNITS[m[2]];
}

function envFileArg(value: string): { label?: string; path: string } {
  const m = value.match(/^([A-Za-z0-9_-]+)=(.+)$/);
  return m ? { label: m[1], path: m[2] } : { path: value };
}

/**
 * Parses the doctor's arguments (`--name value` or `--name=value`).
 *
 * @example
 * parseArgs(["--db-url", url, "--env-file", "bot-executor=.env.executor", "--json"]);
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = {
    sinceMs: UNITS.h * 24,
    envFiles: [],
    skipEnv: false,
    cronSecretInUse: false,
    json: false,
    help: false,
  };
  const flags = {
    "--skip-env": "skipEnv",
    "--cron-secret-in-use": "cronSecretInUse",
    "--json": "json",
    "--help": "help",
    "-h": "help",
  } as const;
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].startsWith("--") && argv[i].includes("=")
      ? [argv[i].slice(0, argv[i].indexOf("=")), argv[i].slice(argv[i].indexOf("=") + 1)]
      : [argv[i], undefined];
    if (name in flags) {
      args[flags[name as keyof typeof flags]] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === "") throw new UsageError(`${name} needs a value`);
    if (name === "--db-url") args.dbUrl = value;
    else if (name === "--since") args.sinceMs = parseDuration(value);
    else if (name === "--env-file") args.envFiles.push(envFileArg(value));
    else throw new UsageError(`unknown argument ${name}`);
  }
  return args;
}

/** A dotenv value: '...' verbatim, "..." as a JSON string (or with \n), else up to a " #". */
function unquote(raw: string): string {
  const quoted = raw.match(/^(["'])(.*)\1$/);
  if (quoted === null) return raw.replace(/\s+#.*$/, "");
  if (quoted[1] === "'") return quoted[2];
  try {
    return String(JSON.parse(raw));
  } catch {
    return quoted[2].replace(/\\n/g, "\n").replace(/\\"/g, '"');
  }
}

/**
 * Parses a dotenv file: `NAME=value`, optional `export `, `#` comments,
 * single quotes (verbatim) and double quotes (a JSON string, as `./dev run` writes).
 *
 * @example
 * parseDotenv('CRON_SECRET="abc"\n# comment'); // { CRON_SECRET: "abc" }
 */
export function parseDotenv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = raw.match(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/);
    if (!m) continue;
    vars[m[1]] = unquote(m[2]);
  }
  return vars;
}

/** Reads variables by name, like `Deno.env`. */
export interface EnvReader {
  get(name: string): string | undefined;
  toObject(): Record<string, string>;
}

/**
 * The database URL: `--db-url`, else EDGE_GUARD_DB_URL, else SUPABASE_DB_URL,
 * else the local stack's `dbUrl`.
 *
 * @example
 * resolveDbUrl(parseArgs([]), Deno.env, { dbUrl: "postgres://postgres@127.0.0.1:54322/postgres" });
 */
export function resolveDbUrl(
  args: CliArgs,
  env: Pick<EnvReader, "get">,
  stack: StackInfo,
): string | undefined {
  return args.dbUrl || env.get("EDGE_GUARD_DB_URL") || env.get("SUPABASE_DB_URL") || stack.dbUrl ||
    undefined;
}

/**
 * The function environments to check: every `--env-file` (label `functions`
 * when none is given, or the file name when several are); else the local
 * stack's `functionsEnvFile`; else this process's environment when it looks
 * like a function's (SUPABASE_URL is set). None with `--skip-env`.
 *
 * @param readText reads a file (relative paths: from the current directory;
 *   the stack's file: from `root`).
 * @example
 * const envs = await loadEnvs(args, Deno.env, stack, Deno.readTextFile, repoRoot);
 */
export async function loadEnvs(
  args: CliArgs,
  env: EnvReader,
  stack: StackInfo,
  readText: (path: string) => Promise<string>,
  root: string,
): Promise<FunctionEnv[]> {
  if (args.skipEnv) return [];
  const files = args.envFiles.length
    ? args.envFiles.map((f, i, all) => ({
      label: f.label ?? (all.length === 1 ? "functions" : `${f.path.split("/").pop()}#${i + 1}`),
      path: f.path,
    }))
    : stack.functionsEnvFile
    ? [{
      label: "functions",
      path: stack.functionsEnvFile.startsWith("/")
        ? stack.functionsEnvFile
        : `${root}/${stack.functionsEnvFile}`,
    }]
    : [];
  if (files.length === 0) {
    return env.get("SUPABASE_URL") ? [{ label: "process", vars: env.toObject() }] : [];
  }
  return await Promise.all(
    files.map(async (f) => ({ label: f.label, vars: parseDotenv(await readText(f.path)) })),
  );
}
