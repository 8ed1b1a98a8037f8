/**
 * The shape of one catalogue entry. Internal: import the types from
 * `error-catalogue.ts`.
 */

/**
 * Where a code is seen:
 * - `client`: the body `{"error":"<code>"}` of an HTTP answer, with a fixed `status`;
 * - `sync`: one organization's sync failure (`org_results`, `sync_org_state.last_error`,
 *   the admin page);
 * - `bot`: a bot run's error (`bot_runs.error`) or why bot-scheduler could not dispatch it;
 * - `alert`: a watchdog check (`edge_guard_alerts.check_id`, the doctor);
 * - `doctor`: one of the doctor's own findings (`./dev doctor`);
 * - `reason`: why a request was refused, in the server log only, never sent to a client.
 */
export type Kind = "client" | "sync" | "bot" | "alert" | "doctor" | "reason";

/** Who produces the code: TypeScript (`function`) or the database's own SQL (`sql`). */
export type Origin = "function" | "sql";

/** Whom an alert concerns: the whole project, or one organization (its admin sees it). */
export type Scope = "project" | "organization";

/** One code: where it is seen, what it means, and what a person should do. */
export interface CatalogueEntry {
  /** Where the code is seen (most codes: one kind). */
  readonly kinds: readonly Kind[];
  /** Who produces it. */
  readonly origin: Origin;
  /** `client` codes: the HTTP status of the answer. */
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
