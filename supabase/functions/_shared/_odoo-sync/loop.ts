/**
 * The loop of one claimed run: every organization in turn until the deadline
 * (or the one organization), then the run's final record. Internal: use
 * `odoo-sync.ts`.
 */
import type { Logger } from "../log.ts";
import { finishRun, summarize } from "./runs.ts";
import { syncOrg } from "./org.ts";
import { listOdooOrgs } from "./store.ts";
import type { OrgResult, SyncMode, SyncOptions } from "./types.ts";

/** One claimed run: everything its phases share. */
export interface Run {
  /** Every organization with an `odoo` credential is synced in this mode. */
  request: { mode: SyncMode };
  options: SyncOptions;
  now: () => Date;
  logger: Logger;
  startedAt: Date;
  runId: number;
  /** Log fields of every line of this run. */
  fields: Record<string, unknown>;
}

/** The orgs synced, and how many the deadline left for the next run. */
export interface Outcome {
  results: OrgResult[];
  notReached: number;
}

/**
 * Every org in turn (least recently synced first) until the deadline. An org
 * not started before it gets no work at all: it is not stamped as visited, so
 * it goes first next run (issue 14: stamping it starved every org past #317).
 */
async function syncAll(run: Run): Promise<Outcome> {
  const { request, options, now, logger, runId } = run;
  const orgs = await listOdooOrgs(options.sql, options.job);
  const deadline = run.startedAt.getTime() + (options.deadlineMs ?? 100_000);
  const orgRun = { options, mode: request.mode, runId, now, logger, deadline };
  const results: OrgResult[] = [];
  for (const orgId of orgs) {
    if (results.length > 0 && now().getTime() > deadline) break;
    results.push(await syncOrg(orgId, orgRun));
  }
  return { results, notReached: orgs.length - results.length };
}

/** Syncs, then records the outcome; on a database failure marks the run failed and rethrows. */
export async function execute(run: Run): Promise<Outcome> {
  const { options, now, runId } = run;
  try {
    const outcome = await syncAll(run);
    const { results } = outcome;
    const summary = summarize(results, outcome.notReached);
    await finishRun(options.sql, { id: runId, summary, results, finishedAt: now() });
    const duration_ms = now().getTime() - run.startedAt.getTime();
    const counts = summary.counts;
    run.logger("info", "sync_run_finished", {
      ...run.fields,
      status: summary.status,
      ...counts,
      duration_ms,
    });
    return outcome;
  } catch (err) {
    const summary = { status: "failed" as const, counts: {}, errorSummary: "internal_error" };
    const end = { id: runId, summary, results: [], finishedAt: now() };
    await finishRun(options.sql, end).catch(() => {});
    throw err;
  }
}
