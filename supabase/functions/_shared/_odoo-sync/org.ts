/**
 * Syncs one organization: its credential, its Odoo, page by page into
 * PostgreSQL. Every failure becomes a fixed code in the result; the details go
 * to the log with the API key redacted. Internal: use `odoo-sync.ts`.
 */
import { describeError, type Logger } from "../log.ts";
import { createOdooClient, type OdooClient, OdooError } from "../odoo-client.ts";
import { jobSpec, pageJson } from "./jobs.ts";
import { createPager } from "./pager.ts";
import { reconcile, reconcileDue } from "./reconcile.ts";
import { finishPass, loadProgress, planPass, type Progress, recordProgress } from "./progress.ts";
import { refresh } from "./refresh.ts";
import { commitPage, loadCredential } from "./store.ts";
import type { OrgResult, SyncCounts, SyncErrorCode, SyncMode, SyncOptions } from "./types.ts";

/** One run's settings, resolved once. */
export interface OrgRun {
  options: SyncOptions;
  mode: SyncMode;
  runId: number;
  now: () => Date;
  logger: Logger;
  /** Epoch ms after which no new page is started. */
  deadline: number;
}

/**
 * Maps a failure to its client code.
 *
 * @example
 * errorCode(new OdooTimeoutError("slow")); // "odoo_timeout"
 */
export function errorCode(err: unknown): SyncErrorCode {
  return err instanceof OdooError ? err.code : "internal_error";
}

/** Pages until the end (true) or the deadline (false), continuing the saved pass (progress.ts). */
async function walk(
  orgId: string,
  client: OdooClient,
  run: OrgRun,
  counts: SyncCounts,
  progress: Progress,
) {
  const { sql, job, pageSize } = run.options;
  const spec = jobSpec(job);
  const plan = planPass(progress, run.now(), run.options.overlapMinutes);
  const { start, skip, resume, startedAt } = plan;
  const pager = createPager(client, { spec, start, skip, resume, pageSize: pageSize ?? 500 });
  for (;;) {
    if (run.now().getTime() > run.deadline) return false;
    const page = await pager.next();
    counts.fetched += page.fetched;
    if (page.rows.length > 0) {
      const rowsJson = pageJson(spec, page.rows);
      const cursor = page.cursor;
      const write = { spec, orgId, job, rowsJson, cursor, passStartedAt: startedAt };
      counts.upserted += await commitPage(sql, write);
      counts.pages++;
      run.logger("debug", "sync_page_committed", {
        org_id: orgId,
        run_id: run.runId,
        page: counts.pages,
        rows: page.rows.length,
      });
    }
    if (!page.more) {
      await finishPass(sql, { orgId, job }, startedAt);
      return true;
    }
  }
}

/** A `full` run's refresh of every record's values (refresh.ts); false when the deadline cut it short. */
async function refreshAll(
  orgId: string,
  client: OdooClient,
  run: OrgRun,
  counts: SyncCounts,
  progress: Progress,
) {
  const spec = jobSpec(run.options.job);
  const r = { options: run.options, orgId, spec, now: run.now, deadline: run.deadline };
  const before = counts.pages;
  const complete = await refresh(client, r, progress, counts);
  const pages = counts.pages - before;
  run.logger("info", "sync_refreshed", { org_id: orgId, run_id: run.runId, pages, complete });
  return complete;
}

/** Reconciles deletions when due (see reconcile.ts); false when the deadline cut it short. */
async function reconcileIfDue(orgId: string, client: OdooClient, run: OrgRun, counts: SyncCounts) {
  const spec = jobSpec(run.options.job);
  const r = { options: run.options, orgId, spec, now: run.now, deadline: run.deadline };
  if (!(await reconcileDue(r, run.mode))) return true;
  const { deleted, complete } = await reconcile(client, r);
  counts.deleted += deleted;
  run.logger("info", "sync_reconciled", { org_id: orgId, run_id: run.runId, deleted, complete });
  return complete;
}

/** The org's Odoo client, or the names of the unusable credential parts (never values). */
async function connect(
  orgId: string,
  run: OrgRun,
): Promise<{ client: OdooClient; secret: string } | { missing: string[] }> {
  const credential = await loadCredential(run.options.sql, orgId);
  if ("missing" in credential) return credential;
  const { odoo, fetch } = run.options;
  try {
    const client = createOdooClient(credential.conn, { ...odoo, fetch, logger: run.logger });
    return { client, secret: credential.conn.apiKey };
  } catch {
    // createOdooClient only throws for a base_url that is not an http(s) URL here.
    return { missing: ["base_url"] };
  }
}

/** One organization's work; never throws: a failure is a result with a fixed code. */
async function syncOnce(orgId: string, run: OrgRun): Promise<OrgResult> {
  const counts: SyncCounts = { fetched: 0, upserted: 0, pages: 0, deleted: 0 };
  const { sql, job, functionName } = run.options;
  const fields = { function_name: functionName, run_id: run.runId, job, org_id: orgId };
  const startedMs = Date.now();
  let secret = "";
  try {
    const connection = await connect(orgId, run);
    if ("missing" in connection) {
      const error = "credential_missing";
      run.logger("error", "sync_org_failed", { ...fields, error, missing: connection.missing });
      return { org_id: orgId, status: "error", error, ...counts };
    }
    secret = connection.secret;
    const progress = await loadProgress(sql, { orgId, job });
    let complete = await walk(orgId, connection.client, run, counts, progress);
    if (complete && run.mode === "full") {
      complete = await refreshAll(orgId, connection.client, run, counts, progress);
    }
    if (complete) complete = await reconcileIfDue(orgId, connection.client, run, counts);
    const duration_ms = Date.now() - startedMs;
    run.logger("info", "sync_org_finished", { ...fields, ...counts, complete, duration_ms });
    return { org_id: orgId, status: "ok", ...counts, complete };
  } catch (err) {
    const error = errorCode(err);
    run.logger("error", "sync_org_failed", {
      ...fields,
      error,
      error_detail: describeError(err, { secrets: [secret] }),
      ...counts,
    });
    return { org_id: orgId, status: "error", error, ...counts };
  }
}

/**
 * Syncs `orgId`; never throws: a failure is a result with a fixed code. Then
 * records whether the run moved forward (progress.ts): it finished its work
 * or stored at least one page, whatever its status.
 *
 * @example
 * const result = await syncOrg(orgId, { options, mode: "incremental", runId, now, logger, deadline });
 */
export async function syncOrg(orgId: string, run: OrgRun): Promise<OrgResult> {
  const result = await syncOnce(orgId, run);
  const progressed = (result.status === "ok" && result.complete) || result.pages > 0;
  const { sql, job } = run.options;
  try {
    await recordProgress(sql, { orgId, job }, progressed);
  } catch (err) {
    run.logger("warn", "sync_progress_not_recorded", {
      org_id: orgId,
      run_id: run.runId,
      error_detail: describeError(err),
    });
  }
  return result;
}
