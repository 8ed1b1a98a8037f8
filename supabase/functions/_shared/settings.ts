/**
 * Function settings: read once from the environment at start-up, checked, and
 * turned into a loud, named configuration error instead of a misleading 401.
 */
import { errorJson } from "./http.ts";
import { log as defaultLog, type Logger } from "./log.ts";

/** Anything with `get(name)`, such as `Deno.env` or a test map. */
export interface Env {
  get(name: string): string | undefined;
}

/** Checked settings of one function. */
export interface Settings<K extends string> {
  /** The value of a required setting ("" when it is missing; check `missing`). */
  get(name: K): string;
  /** Names of required settings that are unset or blank. Never values. */
  missing: K[];
}

/**
 * Reads `names` from `env` once and records which are missing. If any is
 * missing it logs one `function_misconfigured` error naming each of them.
 *
 * @param functionName used in the log line.
 * @param env the environment. Default `Deno.env`.
 * @example
 * const settings = readSettings("bot-scheduler", ["SUPABASE_URL", "SUPABASE_DB_URL"]);
 * if (settings.missing.length) return misconfigured("bot-scheduler", settings.missing);
 */
export function readSettings<K extends string>(
  functionName: string,
  names: readonly K[],
  env: Env = Deno.env,
  logger: Logger = defaultLog,
): Settings<K> {
  const values = new Map<K, string>();
  const missing: K[] = [];
  for (const name of names) {
    const v = env.get(name)?.trim() ?? "";
    if (v) values.set(name, v);
    else missing.push(name);
  }
  if (missing.length) {
    logger("error", "function_misconfigured", {
      function: functionName,
      missing_settings: missing,
      fix: `set ${missing.join(", ")} for ${functionName} (supabase secrets set NAME=...)`,
    });
  }
  return { get: (name) => values.get(name) ?? "", missing };
}

/**
 * The response for a request that arrives while settings are missing: 500
 * `server_misconfigured`, logged again with the missing names on every request.
 *
 * @example
 * if (settings.missing.length) return misconfigured("bot-scheduler", settings.missing);
 */
export function misconfigured(
  functionName: string,
  missing: readonly string[],
  logger: Logger = defaultLog,
): Response {
  logger("error", "request_rejected_misconfigured", {
    function: functionName,
    missing_settings: missing,
    status: 500,
  });
  return errorJson("server_misconfigured");
}
