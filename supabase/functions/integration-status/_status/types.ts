/**
 * What integration-status answers, re-exported by `../status.ts`. Internal:
 * import the types from `../status.ts`.
 */

/** One run of a job, as the organization sees it. */
export interface RunView {
  run_id: number;
  /** `running`, `succeeded`, `incomplete` (deadline reached; continues next run) or `failed`. */
  status: "running" | "succeeded" | "incomplete" | "failed";
  /**
   * `manual`: someone started it (an admin's "sync now", or a service call
   * naming the organization); `scheduled`: the schedule did
   * (`sync_runs.started_by`).
   */
  trigger: "manual" | "scheduled";
  started_at: string;
  finished_at: string | null;
  fetched: number;
  upserted: number;
  pages: number;
  /** The fixed failure code (`odoo_auth_failed`, ...) when failed. */
  error: string | null;
}

/**
 * When the organization is next synced by the schedule, and why then:
 * - `schedule`: its next slot (the job's cron ticks; due once per period);
 * - `backoff`: after `failures` failures in a row the next try waits until `at`;
 * - `parked`: so many failures in a row that it is retried only slowly;
 * - `in_flight`: a run holds it now (`at` is null);
 * - `not_scheduled`: the cron job is missing or paused (`at` is null).
 */
export interface NextAttempt {
  at: string | null;
  reason: "schedule" | "backoff" | "parked" | "in_flight" | "not_scheduled";
  failures: number;
}

/** One job of the page. */
export interface JobStatus {
  job: "crm" | "chatter";
  label: string;
  function: string;
  /** The cron schedule, or null when the job is missing or cron.job cannot be read. */
  schedule: string | null;
  /** How often the organization is due (`sync_queue_settings.period`), in seconds. */
  period_seconds: number;
  /** `next_attempt.at` (kept for older pages). */
  next_run_at: string | null;
  next_attempt: NextAttempt;
  /** The latest complete success: when, and its counts (null when no such run is kept). */
  last_success: { at: string; fetched: number | null; upserted: number | null } | null;
  /** The latest attempt, whatever its outcome. */
  last_run: RunView | null;
  /** The latest runs, newest first (the latest attempt included). */
  history: RunView[];
}

/**
 * The organization's one overall state, the worst of its jobs' and never
 * better than an open alert about it: `failing` since `since`, `stale`
 * (no good sync for two periods) since `since`, `waiting` to retry until
 * `until`, `syncing`, `not_synced` (first sync at `until`), or `healthy`.
 */
export interface Overall {
  state: "healthy" | "syncing" | "not_synced" | "stale" | "waiting" | "failing";
  since: string | null;
  until: string | null;
  /** What makes it so: job names (`crm`) and alert check ids. */
  because: string[];
}

/** An open alert concerning the organization or the whole project. */
export interface AlertView {
  check_id: string;
  subject: string;
  severity: string;
  detail: string | null;
  project_wide: boolean;
  opened_at: string;
  last_seen_at: string;
}

/** What the function answers. */
export interface IntegrationStatus {
  organization_id: string;
  /** The organization's name (null if it was deleted meanwhile). */
  organization_name: string | null;
  generated_at: string;
  overall: Overall;
  jobs: JobStatus[];
  /** Open alerts; null while the watchdog's table does not exist. */
  alerts: AlertView[] | null;
}
