/**
 * Local stack internals: the functions' environment, the state files
 * (`stack.json`, `functions.env`) and the printed curl lines. Imported only by
 * `stack.ts`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { ProjectKeys } from "../keys.ts";
import type { CurlLine } from "./types.ts";
import type { Closers } from "./services.ts";

/** Where the state files go when `stateDir` is not given: `<repo>/.local`. */
const DEFAULT_STATE_DIR = fileURLToPath(new URL("../../../.local", import.meta.url));

/**
 * The functions' environment: project URL, keys, database URL, the development
 * outbound allowance (docs/operations.md, "Outbound calls"), then `extra` on top.
 */
export function functionEnv(
  apiUrl: string,
  dbUrl: string,
  keys: ProjectKeys,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    SUPABASE_URL: apiUrl,
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
    SUPABASE_DB_URL: dbUrl,
    SUPABASE_PUBLISHABLE_KEYS: keys.publishableKeysJson,
    SUPABASE_SECRET_KEYS: keys.secretKeysJson,
    JWT_SECRET: keys.jwtSecret,
    CRON_SECRET: keys.cronSecret,
    // The demo Odoo and webhook receiver listen on 127.0.0.1 over plain http.
    OUTBOUND_ALLOW_PRIVATE: "true",
    ...extra,
  };
}

/**
 * Quotes a value for a shell command line.
 *
 * @example
 * shellQuote("it's"); // "'it'\\''s'"
 */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * The four "sync now" requests: admin 200, member 403, anon key 401, service key 200.
 *
 * @param functionsUrl the gateway's `/functions/v1` URL.
 * @param orgId the demo organization (sent by the service key, which carries none).
 * @param credentials the bearer values to print.
 * @returns one {@linkcode CurlLine} per request, in that order.
 * @example
 * syncNowCurlLines(url, orgId, { admin, member, anonKey, serviceKey })[0].expectStatus; // 200
 */
export function syncNowCurlLines(
  functionsUrl: string,
  orgId: string,
  credentials: { admin: string; member: string; anonKey: string; serviceKey: string },
): CurlLine[] {
  const url = `${functionsUrl}/odoo-crm-sync`;
  const line = (bearer: string, body: object) =>
    [
      "curl -sS -X POST",
      shellQuote(url),
      "-H",
      shellQuote(`Authorization: Bearer ${bearer}`),
      "-H 'Content-Type: application/json' -d",
      shellQuote(JSON.stringify(body)),
      `-w '\\nHTTP %{http_code}\\n'`,
    ].join(" ");
  const body = { mode: "incremental" };
  return [
    {
      title: "Sync now as the integration admin",
      expectStatus: 200,
      command: line(credentials.admin, body),
    },
    {
      title: "The same as a non-admin member of the org",
      expectStatus: 403,
      command: line(credentials.member, body),
    },
    {
      title: "The anon key (what the old cron jobs sent)",
      expectStatus: 401,
      command: line(credentials.anonKey, body),
    },
    {
      title: "The service_role key (what the cron jobs send)",
      expectStatus: 200,
      command: line(credentials.serviceKey, { ...body, org_id: orgId }),
    },
  ];
}

/**
 * A dotenv file body; values are quoted when they hold anything but plain characters.
 *
 * @example
 * toDotenv({ A: "x y" }); // "A='x y'\n"
 */
export function toDotenv(vars: Record<string, string>): string {
  const quote = (v: string) =>
    /^[A-Za-z0-9_.:/@+=-]*$/.test(v)
      ? v
      : !v.includes("'") && !/[\r\n]/.test(v)
      ? `'${v}'`
      : JSON.stringify(v);
  return Object.entries(vars).map(([k, v]) => `${k}=${quote(v)}\n`).join("");
}

/**
 * Writes `functions.env` (mode 0600) and `stack.json` (the state plus the env file's path).
 *
 * @returns the absolute paths of both files.
 */
async function writeStateFiles(
  stateDir: string,
  state: Record<string, unknown>,
  env: string,
): Promise<{ stackJson: string; functionsEnv: string }> {
  await Deno.mkdir(stateDir, { recursive: true });
  const dir = await Deno.realPath(stateDir);
  const functionsEnv = `${dir}/functions.env`;
  const stackJson = `${dir}/stack.json`;
  await Deno.writeTextFile(functionsEnv, env, { mode: 0o600 });
  await Deno.chmod(functionsEnv, 0o600);
  const body = { ...state, functionsEnvFile: functionsEnv };
  await Deno.writeTextFile(stackJson, `${JSON.stringify(body, null, 2)}\n`);
  return { stackJson, functionsEnv };
}

/** Writes the state files unless `stateDir` is null, and removes them on stop. */
export async function writeState(
  closers: Closers,
  stateDir: string | null | undefined,
  state: Record<string, unknown>,
  env: Record<string, string>,
): Promise<{ stackJson: string; functionsEnv: string } | null> {
  const dir = stateDir === undefined ? DEFAULT_STATE_DIR : stateDir;
  if (dir === null) return null;
  const files = await writeStateFiles(dir, state, toDotenv(env));
  closers.add(() => Promise.all([Deno.remove(files.stackJson), Deno.remove(files.functionsEnv)]));
  return files;
}
