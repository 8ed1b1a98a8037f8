/**
 * Types shared by the doctor's checks (`scripts/_doctor/*.ts`).
 */
import type postgres from "postgres";
import { describeError, redact } from "../../supabase/functions/_shared/log.ts";
import type { DoctorFindingId } from "../../supabase/functions/_shared/error-catalogue.ts";

export { redact };
export type { DoctorFindingId };

/** The read-only transaction the database checks query through. */
export type Sql = postgres.TransactionSql;

/** How bad a finding is. Only `error` makes the doctor exit non-zero. */
export type Severity = "error" | "warn" | "info" | "ok";

/** One line of the doctor's report. Never holds a secret value. */
export interface Finding {
  /** Stable name from the error catalogue (docs/errors.md), e.g. `cron_job_anon_key`. */
  id: DoctorFindingId;
  severity: Severity;
  /** What it is about: a job name, a Vault secret name, `env:<label>`, ... */
  subject: string;
  /** One line: what was found. */
  detail: string;
  /** One line: how to fix it ("" for `ok`). */
  fix: string;
}

/** A function environment to check, e.g. read from a dotenv file. */
export interface FunctionEnv {
  /** Shown as `env:<label>`, e.g. `functions` or `bot-executor`. */
  label: string;
  /** Variable name -> value. */
  vars: Readonly<Record<string, string>>;
}

/** Options for `runDoctor`. */
export interface DoctorOptions {
  /** Look-back window for responses and cron runs, in ms. Default: 24 h (`--since`). */
  sinceMs?: number;
  /** Clock. Default: `() => new Date()`. */
  now?: () => Date;
  /**
   * Function environments to check (`--env-file`). Default: none, which gives
   * an `env_not_checked` info finding.
   */
  envs?: readonly FunctionEnv[];
  /** `x-cron-secret` is known to be in use (`--cron-secret-in-use`). Default: false. */
  cronSecretInUse?: boolean;
  /** Skip the environment checks entirely (`--skip-env`). Default: false. */
  skipEnv?: boolean;
}

/**
 * Builds a finding.
 *
 * @example
 * finding("vault_secret_missing", "error", "project_url", "is not in Vault", "vault.create_secret(...)");
 */
export function finding(
  id: DoctorFindingId,
  severity: Severity,
  subject: string,
  detail: string,
  fix = "",
): Finding {
  return { id, severity, subject, detail, fix };
}

/**
 * The name, code and message of an error (`describeError` of `log.ts`: one
 * line, keys and URLs blanked), at most 200 characters.
 *
 * @example
 * errorText(err); // "PostgresError 42501: permission denied for schema vault"
 */
export function errorText(err: unknown): string {
  return describeError(err, { max: 200 });
}

/**
 * A function that blanks out the given secret values (8 characters or more)
 * and then anything shaped like a key (`redact` of `log.ts`).
 *
 * @example
 * const clean = scrubber([vaultKey, env.CRON_SECRET]);
 * clean(`header was ${cronSecret}`); // "header was [redacted]"
 */
export function scrubber(secrets: readonly string[]): (text: string) => string {
  const values = [...new Set(secrets.map((s) => s.trim()).filter((s) => s.length >= 8))]
    .sort((a, b) => b.length - a.length);
  return (text) => redact(text, values);
}

/**
 * `n` and the noun, in the plural unless `n` is 1.
 *
 * @example
 * plural(1, "response"); // "1 response"
 */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
