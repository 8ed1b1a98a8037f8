/**
 * What a watchdog alert code means to a person: a title, its meaning and what
 * to do. The page reads codes only through {@linkcode alertWords}, so these
 * words can come from the project's error catalogue (title / meaning / action
 * per code) by changing this one file. Pure (no DOM).
 */

/** A code said in words. */
export interface CodeWords {
  title: string;
  meaning: string;
  action: string;
}

const OPERATOR = "Tell your operator (whoever runs this Supabase project)";

const ALERT_WORDS: Readonly<Record<string, CodeWords>> = {
  cron_command_literal: {
    title: "Literal key or URL in a cron job",
    meaning: "A scheduled job holds a literal key or URL; with an anon or publishable key " +
      "every scheduled call is refused, so no scheduled sync runs.",
    action: `${OPERATOR}: reschedule the job from the cron migration (./dev doctor gives the ` +
      "call) and rotate a service key that was in it. Sync now still works meanwhile.",
  },
  cron_job_foreign_owner: {
    title: "Cron job owned by another role",
    meaning: "A scheduled job of ours is owned by another database role, so it cannot be " +
      "replaced and a second job of that name runs.",
    action: `${OPERATOR}: its owner unschedules it, then the cron migration is re-run.`,
  },
  vault_secret_missing: {
    title: "Vault secret missing",
    meaning: "The project URL or service key is not in Vault: every scheduled sync fails.",
    action: `${OPERATOR}: create it with vault.create_secret (docs/operations.md).`,
  },
  vault_secret_unusable: {
    title: "Vault secret unusable",
    meaning: "A Vault secret the scheduled syncs need is empty, malformed, expired or the " +
      "wrong key: every scheduled sync fails.",
    action: `${OPERATOR}: replace it with vault.update_secret (docs/operations.md).`,
  },
  http_auth_rejected: {
    title: "Scheduled syncs refused (401/403)",
    meaning: "The job's latest scheduled calls were refused: the function did not accept the " +
      "key the schedule sent, so no scheduled sync ran.",
    action: `${OPERATOR}: make Vault's service_role_key a key the functions accept; ` +
      "./dev doctor names the mismatch. Sync now still works meanwhile.",
  },
  http_call_failed: {
    title: "Scheduled syncs failing",
    meaning: "The job's latest scheduled calls got a server error, timed out or got no answer.",
    action: `${OPERATOR}: read the function's log at the time shown; ./dev doctor shows ` +
      "the statuses.",
  },
  cron_run_failed: {
    title: "Scheduler run failed",
    meaning: "The job's latest pg_cron run failed, so no sync was requested.",
    action: `${OPERATOR}: read the run's message in cron.job_run_details.`,
  },
  org_sync_stale: {
    title: "Not synced",
    meaning: "Your organization had no good sync for two sync periods (30 minutes): its data " +
      "in the app is older than that.",
    action: "Look at the jobs below: their last attempt says why. Try Sync now.",
  },
  org_sync_failing: {
    title: "Syncs failing",
    meaning: "Your organization's syncs failed twice in a row, or once in a way no retry " +
      "fixes (Odoo refused the login, or no credential is stored).",
    action: "Do what the failed attempt below says, then press Sync now.",
  },
  org_sync_stalled: {
    title: "Sync not moving forward",
    meaning: "Your organization's syncs ran but stored nothing new and did not finish, several " +
      "runs in a row: the data in the app is not catching up.",
    action: `${OPERATOR}: read the sync's log lines and cursors for your organization ` +
      "(docs/odoo-sync.md).",
  },
  outbound_destination_refused: {
    title: "Stored address not allowed",
    meaning: "An address your organization stored (the Odoo URL, or a bot's webhook) is not " +
      "allowed: not https, or not a public host. Every sync or run to it fails.",
    action: "Store an https URL of a public host (the Odoo URL again, or the bot's webhook), " +
      "or disable the bot.",
  },
  sync_run_stuck: {
    title: "Sync run stuck",
    meaning: "A sync run stayed 'running' longer than a function can live; it is marked failed.",
    action: "Nothing for this run; if it repeats, tell your operator.",
  },
  schedule_drift: {
    title: "Syncs start late",
    meaning: "The latest sync started later than it should: the scheduler is late or overloaded.",
    action: `${OPERATOR}: check that pg_cron runs (cron.job_run_details).`,
  },
  bot_keeps_failing: {
    title: "Bot keeps failing",
    meaning: "An enabled bot's latest runs all failed.",
    action: "Fix or disable the bot's webhook.",
  },
};

/**
 * The words for a watchdog check id; an unknown code is named as it is.
 *
 * @example
 * alertWords("http_auth_rejected").title; // "Scheduled syncs refused (401/403)"
 */
export function alertWords(code: string): CodeWords {
  return ALERT_WORDS[code] ?? {
    title: code,
    meaning: "The watchdog raised this check.",
    action: `${OPERATOR}; ./dev doctor names the problem.`,
  };
}
