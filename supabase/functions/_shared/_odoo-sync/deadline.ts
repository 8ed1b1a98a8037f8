/**
 * Syncs one claimed organization within its deadline: no new page after
 * `deadlineMs` (the run ends `partial` and the organization is due again at
 * once), and if a call still hangs `graceMs` later the organization is
 * released as `odoo_timeout` (a failure: backoff) and the caller moves on. The
 * abandoned work can only end in writes the run no longer owns: rows are
 * upserted newest-wins and `finish_org_sync` ignores a run that lost its lease.
 * Internal: use `odoo-sync.ts`.
 */
import type { Logger } from "../log.ts";
import { syncOrg } from "./org.ts";
import type { ClaimedOrg } from "./queue.ts";
import type { OrgResult, SyncOptions } from "./types.ts";

/** Default wait after the soft deadline before a hanging organization is released. */
export const DEFAULT_GRACE_MS = 10_000;

/** What {@linkcode syncWithin} needs besides the claim. */
export interface Within {
  options: SyncOptions;
  now: () => Date;
  logger: Logger;
}

/**
 * The organization's result, at the latest `deadlineMs + graceMs` after the start.
 *
 * @example
 * const result = await syncWithin(claim, { options, now, logger });
 */
export async function syncWithin(claim: ClaimedOrg, w: Within): Promise<OrgResult> {
  const graceMs = w.options.orgGraceMs ?? DEFAULT_GRACE_MS;
  const deadline = w.now().getTime() + claim.deadlineMs;
  const work = syncOrg(claim.orgId, {
    options: w.options,
    mode: claim.mode,
    runId: claim.runId,
    now: w.now,
    logger: w.logger,
    deadline,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const released = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), claim.deadlineMs + graceMs);
  });
  try {
    const result = await Promise.race([work, released]);
    if (result !== null) return result;
  } finally {
    clearTimeout(timer);
  }
  w.logger("warn", "sync_org_released", {
    function_name: w.options.functionName,
    run_id: claim.runId,
    job: w.options.job,
    org_id: claim.orgId,
    waited_ms: claim.deadlineMs + graceMs,
  });
  const counts = { fetched: 0, upserted: 0, pages: 0, deleted: 0 };
  return { org_id: claim.orgId, status: "error", error: "odoo_timeout", ...counts };
}
