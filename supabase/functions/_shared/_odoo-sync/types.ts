/**
 * Types shared by the Odoo sync internals. The public ones are re-exported by
 * `odoo-sync.ts`; import them from there.
 */
import type { Sql } from "../db.ts";
import type { Logger } from "../log.ts";
import type { SyncErrorCode } from "../error-catalogue.ts";
import type { OutboundPolicy } from "../outbound.ts";

/** Which Odoo data a function syncs: `crm.lead` rows or their chatter (`mail.message`). */
export type SyncJob = "crm" | "chatter";

/**
 * `incremental` continues the saved pass (or starts the next one); `full` does
 * that, then the full refresh of every record's values by id (continuing an
 * unfinished one), then reconciliation.
 */
export type SyncMode = "incremental" | "full";

/** Per-organization failure codes: the catalogue's `sync` codes a function reports; details go to the log only. */
export type { SyncErrorCode };

export type { OrgResult, StoredOrgResult, SyncCounts } from "../sync-results.ts";

/** Tuning of a sync run. No environment variable: the functions use the defaults. */
export interface SyncTuning {
  /** Records per `search_read` page. Default 500. */
  pageSize?: number;
  /**
   * A run over every organization (a direct service call) starts no new page
   * or organization after this many ms from its start. Default 100000. A
   * queued or "sync now" organization takes its deadline from the database
   * (`sync_queue_settings.org_deadline_seconds`).
   */
  deadlineMs?: number;
  /**
   * How long after its deadline a queued or "sync now" organization whose Odoo
   * call still hangs is released as `odoo_timeout` (backoff). Default 10000.
   */
  orgGraceMs?: number;
  /**
   * Each new pass starts this many minutes before the previous pass started (and
   * never after the saved cursor; within the cursor's own second only ids after
   * the saved one are read again). Odoo stamps `write_date` with the START of the
   * writing transaction and others see the row only at commit, so an edit made
   * in a transaction that ran across the previous run carries a write_date
   * older than the cursor; the overlap reads it anyway. Covers transactions up
   * to this long. Unchanged rows read again are not rewritten. Default 15.
   */
  overlapMinutes?: number;
  /**
   * An incremental run also reconciles deletions when the last reconciliation
   * of the organization is older than this (a `full` run always does). Default 24.
   */
  reconcileEveryHours?: number;
  /** Ids per `search` call of a reconciliation (walk and confirmation). Default 5000. */
  reconcilePageSize?: number;
  /** Odoo client tuning (see odoo-client.ts). Defaults: 15000 ms per attempt, 2 retries, 500 ms backoff. */
  odoo?: {
    timeoutMs?: number;
    retries?: number;
    backoffMs?: number;
    sleep?: (ms: number) => Promise<void>;
    /** Where requests may go. Default: the function's (OUTBOUND_ALLOW_PRIVATE); else production. */
    policy?: OutboundPolicy;
    /** Largest answer of one call in bytes. Default: OUTBOUND_ODOO_MAX_BYTES (16 MiB). */
    maxAnswerBytes?: number;
  };
}

/** Everything a run needs besides the request. */
export interface SyncOptions extends SyncTuning {
  /** The job this function runs. */
  job: SyncJob;
  /** Database pool (`createSql(SUPABASE_DB_URL)`); all work runs as `service_role`. */
  sql: Sql;
  /** HTTP client for Odoo. Default: global `fetch`. */
  fetch?: typeof fetch;
  /** Clock behind every time decision: period, drift, deadline, overlap, reconciliation. Default: `() => new Date()`. */
  now?: () => Date;
  /** Structured logger. Default: `log` from log.ts. */
  logger?: Logger;
  /** Added to log lines as `function_name`. Default: none. */
  functionName?: string;
  /**
   * Keeps a worker's background work alive after its 202 answer. Default:
   * `EdgeRuntime.waitUntil` on the platform; without it the promise is kept
   * referenced until it settles (see worker.ts).
   */
  waitUntil?: (promise: Promise<unknown>) => void;
}

/** Position of an incremental sync: every record whose (write_date second, id) is at or before it has been stored. */
export interface Cursor {
  /** A whole second (milliseconds are zero). */
  writeDate: Date;
  /** Highest id seen within that second; 0 = none of that second yet. */
  id: number;
}
