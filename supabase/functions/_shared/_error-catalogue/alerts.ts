/**
 * The watchdog's checks: `check_id` of `public.edge_guard_findings()` and of
 * `public.edge_guard_alerts` (supabase/migrations/*watchdog*.sql). Internal:
 * read them through `error-catalogue.ts`.
 */
import type { CatalogueEntry } from "./entry.ts";

const alert = { kinds: ["alert"], origin: "sql" } as const;

/** Every check the watchdog runs; a test proves each is produced by the database's SQL. */
export const ALERT_CODES = {
  cron_command_literal: {
    ...alert,
    scope: "project",
    title: "Literal key or URL in a cron job",
    meaning: "A cron command holds a literal key (an anon or publishable key means every call " +
      "gets 401) or a literal URL, readable by anyone who can read `cron.job`.",
    action: "Reschedule the job from the cron migration (`./dev doctor` gives the call); " +
      "rotate a service key that was in it.",
  },
  cron_job_foreign_owner: {
    ...alert,
    scope: "project",
    title: "Cron job owned by another role",
    meaning: "A job with one of our names is owned by another role, so the cron migration " +
      "cannot replace it and a second job of that name runs.",
    action: "Its owner unschedules it (`cron.unschedule`); then re-run the cron migration.",
  },
  vault_secret_missing: {
    ...alert,
    scope: "project",
    title: "Vault secret missing",
    meaning: "`project_url` or `service_role_key` is not in Vault: every cron call fails or " +
      "goes out without a key.",
    action: "Create it with `vault.create_secret` (docs/operations.md).",
  },
  vault_secret_unusable: {
    ...alert,
    scope: "project",
    title: "Vault secret unusable",
    meaning: "A Vault secret is empty, not an http(s) URL, or `service_role_key` holds an " +
      "anon/publishable key, an expired JWT or another role's JWT.",
    action: "Replace the value with `vault.update_secret` (docs/operations.md).",
  },
  http_auth_rejected: {
    ...alert,
    scope: "project",
    title: "Cron calls refused (401/403)",
    meaning: "The job's latest calls were answered 401 or 403: the function did not accept " +
      "the key the job sent.",
    action: "Make Vault's `service_role_key` a key the functions accept; `./dev doctor` " +
      "names the mismatch.",
  },
  http_call_failed: {
    ...alert,
    scope: "project",
    title: "Cron calls failing",
    meaning: "The job's latest calls got a 5xx, timed out, got no answer, or another 4xx.",
    action: "Read the function's log at the time in the detail; `./dev doctor` shows the " +
      "statuses.",
  },
  cron_run_failed: {
    ...alert,
    scope: "project",
    title: "pg_cron run failed",
    meaning: "The job's latest pg_cron run failed.",
    action: "Read the run's message in `cron.job_run_details`.",
  },
  org_sync_stale: {
    ...alert,
    scope: "organization",
    title: "Organization not synced",
    meaning: "An organization with an Odoo credential had no good sync for two sync periods.",
    action: "Look at its `org_sync_failing` alert and its sync runs (`./dev doctor`).",
  },
  org_sync_failing: {
    ...alert,
    scope: "organization",
    title: "Organization's syncs failing",
    meaning: "The organization's syncs failed twice in a row, or once with " +
      "`odoo_auth_failed` or `credential_missing` (no retry fixes those).",
    action: "Do what the failure code in the detail asks (its row in this catalogue).",
  },
  sync_run_stuck: {
    ...alert,
    scope: "project",
    title: "Sync run stuck",
    meaning: "A sync run is still `running` after `run_max_lifetime`, longer than a function " +
      "can live; the watchdog marks it failed.",
    action: "None for the run; if it repeats, read the function's log.",
  },
  schedule_drift: {
    ...alert,
    scope: "project",
    title: "Syncs start late",
    meaning: "The latest sync run started more than `drift_tolerance` after its scheduled time.",
    action: "Check that pg_cron runs and is not overloaded (`cron.job_run_details`).",
  },
  bot_keeps_failing: {
    ...alert,
    scope: "organization",
    title: "Bot keeps failing",
    meaning: "An enabled bot's last `failing_runs` runs all failed.",
    action: "Read `public.bot_runs` for the bot; fix or disable its webhook.",
  },
} as const satisfies Record<string, CatalogueEntry>;
