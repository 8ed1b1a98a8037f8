/**
 * The shape of one catalogue entry. Internal: import the types from
 * `error-catalogue.ts`.
 */

/**
 * Where a code is seen (one kind per line below):
 * - `client`: the body `{"error":"<code>"}` of an HTTP answer, with a fixed `status`;
 * - `sync`: one organization's sync failure (`org_results`, `sync_org_state.last_error`,
 *   the admin page);
 * - `bot`: a bot run's error (`bot_runs.error`) or why bot-scheduler could not dispatch it;
 * - `alert`: a watchdog check (`edge_guard_alerts.check_id`, the doctor);
 * - `doctor`: one of the doctor's own findings (`./dev doctor`);
 * - `reason`: why a request was refused, in the server log only, never sent to a client;
 * - `refusal`: why the outbound policy refused a destination (a log line's `reason`, the
 *   detail of the `outbound_destination_refused` alert);
 * - `worker`: how a sync queue worker ended (`reason` of `sync_worker_stopped` and
 *   `sync_worker_no_slot`, in the log only);
 * - `platform`: the body `{"code":"<CODE>","message":...}` the Supabase platform answers
 *   for a function (it failed to start, crashed, hit a limit), with a fixed `status`.
 */
export type Kind =
  | "client"
  | "sync"
  | "bot"
  | "alert"
  | "doctor"
  | "reason"
  | "refusal"
  | "worker"
  | "platform";

/**
 * Who produces the code: TypeScript (`function`), the database's own SQL (`sql`), or
 * the Supabase platform around the functions (`platform`; the local stack's runtime and
 * gateway answer the same).
 */
export type Origin = "function" | "sql" | "platform";

/**
 * Whom an alert concerns (`edge_guard_alerts.project_wide` and `org_id`):
 * - `project`: every organization (a cron job or a Vault secret stops all their jobs);
 * - `organization`: the organization of its subject (`org:<uuid>`, its run, its bot), whose
 *   admin sees it in `integration-status`.
 */
export type Scope = "project" | "organization";

/** One code: where it is seen, what it means, and what a person should do. */
export interface CatalogueEntry {
  /** Where the code is seen (most codes: one kind). */
  readonly kinds: readonly Kind[];
  /** Who produces it. */
  readonly origin: Origin;
  /** `client` and `platform` codes: the HTTP status of the answer. */
  readonly status?: number;
  /** `alert` codes: project-wide or one organization's. */
  readonly scope?: Scope;
  /** A few words. */
  readonly title: string;
  /** What happened, in one or two sentences. */
  readonly meaning: string;
  /** What a person should do about it. */
  readonly action: string;
}
