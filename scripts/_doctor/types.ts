/**
 * Types shared by the doctor's checks (`scripts/_doctor/*.ts`).
 */
import type postgres from "postgres";

/** The read-only transaction the database checks query through. */
export type Sql = postgres.TransactionSql;

/** How bad a finding is. Only `error` makes the doctor exit non-zero. */
export type Severity = "error" | "warn" | "info" | "ok";

/** One line of the doctor's report. Never holds a secret value. */
export interface Finding {
  /** Stable name, e.g. `cron_job_anon_key`. */
  id: string;
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
  id: string,
  severity: Severity,
  subject: string,
  detail: string,
  fix = "",
): Finding {
  return { id, severity, subject, detail, fix };
}

/**
 * The code and message of an unknown error, scrubbed of anything that looks
 * like a key, at most 200 characters.
 *
 * @example
 * errorText(err); // "42501: permission denied for schema vault"
 */
export function errorText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? `${e.code}: ` : "";
  const message = typeof e?.message === "string" ? e.message : String(err);
  return redact(`${code}${message}`).slice(0, 200);
}

/**
 * A function that blanks out the given secret values (8 characters or more)
 * and then applies {@linkcode redact}.
 *
 * @example
 * const clean = scrubber([vaultKey, env.CRON_SECRET]);
 * clean(`header was ${cronSecret}`); // "header was [redacted]"
 */
export function scrubber(secrets: readonly string[]): (text: string) => string {
  const values = [...new Set(secrets.map((s) => s.trim()).filter((s) => s.length >= 8))]
    .sort((a, b) => b.length - a.length);
  return (text) => redact(values.reduce((t, s) => t.split(s).join("[redacted]"), text));
}

/**
 * Replaces anything that looks like a key (a JWT, an `sb_` key, a URL password)
 * with its kind marker, so it can be printed.
 *
 * @example
 * redact("Bearer eyJhbGciOi.eyJyb2xl.sig"); // "Bearer eyJ…"
 */
export function redact(text: string): string {
  return text
    .replace(/eyJ[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){0,2}/g, "eyJ…")
    .replace(/sb_(secret|publishable)_[A-Za-z0-9_-]+/g, "sb_$1_…")
    .replace(/(\w+:\/\/[^:/@\s]*:)[^@\s]*@/g, "$1…@");
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
