/**
 * One scheduler tick: claim the due bots, call bot-executor for each with
 * bounded concurrency, report and log every outcome. Internal to bots.ts.
 */
import type { Sql } from "../db.ts";
import type { Logger } from "../log.ts";
import { claimDueBots } from "./claim.ts";
import {
  dispatchOne,
  type DispatchResult,
  type ExecutorTarget,
  logDispatchFailure,
  mapBounded,
} from "./dispatch.ts";

/** Options of {@linkcode scheduleDueBots}. */
export interface ScheduleOptions {
  /** Bots with next_run_at <= now are due. */
  now: Date;
  /** Sent to the executor as `scheduled_minute` (the idempotency key's minute). */
  scheduledMinute: Date;
  /** Only this organisation's bots; null = all. */
  orgId: string | null;
  target: ExecutorTarget;
  fetch: typeof fetch;
  logger: Logger;
  functionName: string;
  /** Executor calls in flight at once. Default 4. */
  concurrency?: number;
  /** Most bots claimed per tick. Default 50. */
  batchSize?: number;
  /** Executor runs in flight across overlapping ticks (running bot_runs). Default 20. */
  maxInFlight?: number;
  /** Executor call timeout = bot.timeout_ms + graceMs. Default 5000. */
  graceMs?: number;
}

/** The scheduler's answer: counts per outcome and one result per claimed bot. */
export interface SchedulerReport {
  scheduled_minute: string;
  due: number;
  succeeded: number;
  failed: number;
  already_ran: number;
  skipped: number;
  dispatch_failed: number;
  results: DispatchResult[];
}

function summarize(minute: Date, results: DispatchResult[]): SchedulerReport {
  const count = (o: DispatchResult["outcome"]) => results.filter((r) => r.outcome === o).length;
  return {
    scheduled_minute: minute.toISOString(),
    due: results.length,
    succeeded: count("succeeded"),
    failed: count("failed"),
    already_ran: count("already_ran"),
    skipped: count("skipped"),
    dispatch_failed: count("dispatch_failed"),
    results,
  };
}

/** Runs one tick. See `scheduleDueBots` in bots.ts. */
export async function scheduleDueBots(sql: Sql, o: ScheduleOptions): Promise<SchedulerReport> {
  const started = Date.now();
  const bots = await claimDueBots(sql, {
    now: o.now,
    orgId: o.orgId,
    limit: o.batchSize ?? 50,
    maxInFlight: o.maxInFlight,
  });
  const dispatch = {
    target: o.target,
    scheduledMinute: o.scheduledMinute,
    fetch: o.fetch,
    graceMs: o.graceMs ?? 5_000,
  };
  const results = await mapBounded(bots, o.concurrency ?? 4, (bot) => dispatchOne(bot, dispatch));
  const report = summarize(o.scheduledMinute, results);
  const fields = { function_name: o.functionName, scheduled_minute: report.scheduled_minute };
  for (const r of results) {
    if (r.outcome === "dispatch_failed") logDispatchFailure(o.logger, r, fields, o.target.url);
  }
  const { results: _, ...counts } = report;
  o.logger(report.dispatch_failed > 0 ? "error" : "info", "bot_scheduler_finished", {
    ...fields,
    ...counts,
    duration_ms: Date.now() - started,
  });
  return report;
}
