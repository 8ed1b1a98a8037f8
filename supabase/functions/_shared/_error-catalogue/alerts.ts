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
    action: "Run `select public.edge_guard_schedule_jobs();` as the job's owner (the one " +
      "definition of every job); rotate a service key that was in it.",
  },
  cron_job_foreign_owner: {
    ...alert,
    scope: "project",
    title: "Cron job owned by another role",
    meaning: "A job with one of our names is owned by another role, so " +
      "`public.edge_guard_schedule_jobs()` cannot replace it and a second job of that name runs.",
    action: "Its owner unschedules it (`cron.unschedule`); then run " +
      "`select public.edge_guard_schedule_jobs();`.",
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
      "anon/publishable key, an expired JWT or another role's JWT; or (warn) the outbound " +
      "policy refuses `alert_webhook_url`, so alerts are not sent.",
    action: "Replace the value with `vault.update_secret` (docs/operations.md); the alert " +
      "webhook must be an https URL of a public host.",
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
    meaning: "The job's latest calls got a 5xx, timed out, got no answer, or another 4xx. A " +
      "sync job's call is a worker's wake-up, answered 202 at once, so one organization's " +
      "failure never shows here (that is `org_sync_failing`).",
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
    meaning: "An organization with an Odoo credential had no good sync for two sync periods " +
      "(`sync_org_state.last_success_at`, counted from enrolment if it never synced).",
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
  org_sync_parked: {
    ...alert,
    scope: "organization",
    title: "Organization's sync parked",
    meaning: "The organization's syncs failed `park_after` times in a row (sync_queue_settings, " +
      "default 6): the queue parked it and retries it only every `parked_retry` (6 hours). " +
      "Opened once and kept open while parked; the detail names the job, the last failure " +
      "code and the next try.",
    action: "Fix what the failure code asks (its row in this catalogue), then store the " +
      "credential again (a changed credential ends the wait) or wait for the next try.",
  },
  org_sync_stalled: {
    ...alert,
    scope: "organization",
    title: "Organization's sync not moving",
    meaning: "An organization's sync made no forward progress (no page stored, work not " +
      'finished) in its last `stalled_runs` runs in a row, whatever they reported ("ok, ' +
      'incomplete" included). The detail names the job, where its walk stands and when it ' +
      "last moved.",
    action: "Read that organization's `sync_org_finished` / `sync_org_failed` log lines and " +
      "`public.sync_cursors` (docs/odoo-sync.md); fix what keeps the walk in place.",
  },
  sync_run_stuck: {
    ...alert,
    scope: "organization",
    title: "Sync run stuck",
    meaning: "A sync run is still `running` after `run_max_lifetime`, longer than a function " +
      "can live; the watchdog marks it failed. The run's organization sees it (a run over " +
      "every organization: the operator only).",
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
  outbound_destination_refused: {
    ...alert,
    scope: "organization",
    title: "Stored address not allowed",
    meaning: "The outbound policy refuses a destination the organization stored: its Odoo " +
      "credential's `base_url` or an enabled bot's `webhook_url` (not https, an internal name, " +
      "or an address in a refused range), so each sync or run of it fails with " +
      "`odoo_destination_refused` / `webhook_destination_refused`. The detail names each " +
      "setting and the refusal, never the URL.",
    action: "Store an https URL of a public host for each named setting " +
      "(`public.upsert_integration_credential`'s `base_url`, `bots.webhook_url`), or disable " +
      "the bot.",
  },
} as const satisfies Record<string, CatalogueEntry>;
