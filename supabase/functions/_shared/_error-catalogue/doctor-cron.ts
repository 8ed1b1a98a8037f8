/**
 * The doctor's own findings about cron jobs and their calls (`./dev doctor`,
 * scripts/_doctor/); it also shows the watchdog's checks under their `alert`
 * codes. Internal: read them through `error-catalogue.ts`.
 */
import type { CatalogueEntry } from "./entry.ts";

const doctor = (title: string, meaning: string, action: string) =>
  ({ kinds: ["doctor"], origin: "function", title, meaning, action }) as const;

const MIGRATION = "Run `select public.edge_guard_schedule_jobs();` as postgres: the one " +
  "definition of every job, it unschedules literal-key jobs and schedules each job with " +
  "Vault-read keys.";
const NONE = "None.";

/** Findings about the cron jobs and the calls they make. */
export const DOCTOR_CRON_CODES = {
  cron_jobs_none: doctor(
    "No job calls a function",
    "No cron job calls an edge function.",
    MIGRATION,
  ),
  cron_job_ok: doctor("Job fine", "The job calls its function with the key from Vault.", NONE),
  cron_job_anon_key: doctor(
    "Job sends the anon key",
    "The command holds the anon JWT: every call is answered 401 (the seed incident).",
    MIGRATION,
  ),
  cron_job_publishable_key: doctor(
    "Job sends a publishable key",
    "The command holds an `sb_publishable_` key: every call is answered 401.",
    MIGRATION,
  ),
  cron_job_literal_jwt: doctor(
    "Job holds a JWT",
    "The command holds a literal JWT, readable by anyone who can read `cron.job`.",
    `${MIGRATION} Then rotate that key.`,
  ),
  cron_job_literal_secret_key: doctor(
    "Job holds a secret key",
    "The command holds a literal `sb_secret_` key, readable by anyone who can read `cron.job`.",
    `${MIGRATION} Then rotate that key.`,
  ),
  cron_job_no_authorization: doctor(
    "Job sends no key",
    "The job calls a function without an Authorization header.",
    MIGRATION,
  ),
  cron_job_key_not_from_vault: doctor(
    "Job's key not from Vault",
    "The Authorization header is not read from `vault.decrypted_secrets`.",
    MIGRATION,
  ),
  cron_job_literal_cron_secret: doctor(
    "Job holds the cron secret",
    "The command holds a literal `x-cron-secret` value.",
    "Read it from Vault and rotate `CRON_SECRET`.",
  ),
  cron_job_literal_url: doctor(
    "Job holds the URL",
    "The project URL is written into the command.",
    MIGRATION,
  ),
  cron_job_inactive: doctor(
    "Job inactive",
    "The job is inactive: its function is not called.",
    "Activate it (`cron.alter_job`) if it should run.",
  ),
  cron_job_not_recorded: doctor(
    "Job's calls not recorded",
    "The job does not record its requests in `public.cron_http_requests`, so its 401s cannot be " +
      "attributed.",
    MIGRATION,
  ),
  cron_job_vault_secret_missing: doctor(
    "Job reads a missing secret",
    "The job reads a Vault secret that does not exist.",
    "See the `vault_secret_missing` finding.",
  ),
  cron_http_requests_missing: doctor(
    "No request log",
    "`public.cron_http_requests` does not exist, so 401/403 answers cannot be tied to jobs.",
    "Apply the migrations (the finding names them).",
  ),
  http_auth_ok: doctor(
    "No refused calls",
    "No cron call was answered 401/403 in the window.",
    NONE,
  ),
  http_auth_failures: doctor(
    "Job's calls refused",
    "Calls of the job were answered 401/403 (an error while its latest call still is).",
    "Make the job send a key the function accepts (the `vault_` and `env_` findings say which).",
  ),
  http_auth_failures_unattributed: doctor(
    "Refused calls of no job",
    "401/403 answers that no cron job can be tied to.",
    "Check the other callers of the functions, and that the jobs record their requests.",
  ),
  http_other_failures: doctor(
    "Job's calls failing",
    "Calls of the job timed out, failed or got a 5xx.",
    "Read the function's log and `net._http_response`.",
  ),
  cron_runs_ok: doctor("No failed runs", "No pg_cron run failed in the window.", NONE),
  cron_run_failures: doctor(
    "pg_cron runs failed",
    "Runs of the job failed (an error while its latest run did).",
    "Fix the cause in the message (`cron.job_run_details`).",
  ),
} as const satisfies Record<string, CatalogueEntry>;
