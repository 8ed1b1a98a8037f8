/**
 * Doctor check for the `x-cron-secret` convention across function
 * environments (seed incident 001: bot-scheduler had CRON_SECRET, bot-executor
 * did not, so its cron calls failed as "Invalid JWT").
 */
import { sameSecret } from "./keys.ts";
import { type Finding, finding, type FunctionEnv } from "./types.ts";

const secretOf = (env: FunctionEnv) => env.vars.CRON_SECRET?.trim() || undefined;

/**
 * Why `x-cron-secret` counts as in use: the reasons given (a cron job sends the
 * header, `--cron-secret-in-use`), plus every environment that sets CRON_SECRET.
 *
 * @example
 * cronSecretReasons(envs, ["cron job bot-scheduler sends x-cron-secret"]);
 */
export function cronSecretReasons(
  envs: readonly FunctionEnv[],
  given: readonly string[],
): string[] {
  const setFor = envs.filter(secretOf).map((e) => e.label);
  return [...given, ...(setFor.length ? [`CRON_SECRET is set for ${setFor.join(", ")}`] : [])];
}

function mismatch(envs: readonly FunctionEnv[]): Finding[] {
  const withSecret = envs.filter(secretOf);
  if (withSecret.length < 2) return [];
  const first = secretOf(withSecret[0])!;
  if (withSecret.every((e) => sameSecret(secretOf(e)!, first))) return [];
  const labels = withSecret.map((e) => e.label).join(", ");
  return [
    finding(
      "cron_secret_mismatch",
      "error",
      withSecret.map((e) => `env:${e.label}`).join(", "),
      `CRON_SECRET differs between ${labels}: x-cron-secret calls between them are rejected`,
      `set one CRON_SECRET value for ${labels} (supabase secrets set CRON_SECRET=...)`,
    ),
  ];
}

/**
 * When `x-cron-secret` is in use, every function environment must set
 * CRON_SECRET (`cron_secret_not_configured`, per environment), and to the same
 * value (`cron_secret_mismatch`). Values are compared in constant time and
 * never printed.
 *
 * @param envs the function environments.
 * @param given reasons known from elsewhere (cron job commands, CLI flag).
 * @example
 * cronSecretFindings([scheduler, executor], []); // cron_secret_not_configured for executor
 */
export function cronSecretFindings(
  envs: readonly FunctionEnv[],
  given: readonly string[],
): Finding[] {
  const reasons = cronSecretReasons(envs, given);
  if (reasons.length === 0 || envs.length === 0) return [];
  const setFor = envs.filter(secretOf).map((e) => e.label);
  const sameAs = setFor.length ? ` to the same value as ${setFor.join(", ")}` : "";
  const missing = envs.filter((e) => !secretOf(e)).map((e) =>
    finding(
      "cron_secret_not_configured",
      "error",
      `env:${e.label}`,
      `CRON_SECRET is not set although x-cron-secret is in use (${reasons.join("; ")}): ` +
        "its cron calls are not recognised and fail as 401 Invalid JWT",
      `set CRON_SECRET for ${e.label}${sameAs} (supabase secrets set CRON_SECRET=...)`,
    )
  );
  return [...missing, ...mismatch(envs)];
}
