/**
 * How a sync queue worker ended (docs/fanout.md, "The worker"): the `reason`
 * of its `sync_worker_stopped` / `sync_worker_no_slot` / `sync_worker_failed`
 * log line, never sent to a client (the wake-up was answered 202 before).
 * Internal: read them through `error-catalogue.ts`.
 */
import type { CatalogueEntry } from "./entry.ts";

const worker = (title: string, meaning: string, action: string) =>
  ({ kinds: ["worker"], origin: "function", title, meaning, action }) as const;

/** Why a worker invocation stopped. */
export const WORKER_REASONS = {
  no_slot: worker(
    "No slot",
    "The worker could not take up a lease: its wake-up lease had ended (it started more " +
      "than `wake_lease_seconds` after the tick woke it), or `max_workers` were already live.",
    "None if rare; if every wake-up says so, the functions start too slowly: raise " +
      "`wake_lease_seconds` (sync_queue_settings).",
  ),
  queue_empty: worker(
    "Queue empty",
    "The worker claimed every message it could see and stopped; its slot is free at once.",
    "None.",
  ),
  budget_spent: worker(
    "Time budget spent",
    "The worker reached `worker_budget_seconds` with messages left and relayed: " +
      "`stop_sync_worker(id, true)` woke its successor at once.",
    "None; if it is the rule, the queue is behind: raise `max_workers` (docs/fanout.md).",
  ),
  worker_failed: worker(
    "Worker failed",
    "The worker's own database calls failed (`sync_worker_failed` names the error); its " +
      "lease runs out and the organization it held is claimed again by the next worker.",
    "Read the log line and the database's health; nothing is lost.",
  ),
} as const satisfies Record<string, CatalogueEntry>;
