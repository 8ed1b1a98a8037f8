/**
 * Where one organization's job stands between runs (`sync_cursors`), and the
 * rule that it always moves forward (issue 25). Internal: use `odoo-sync.ts`.
 *
 * An incremental walk is a *pass*: from its start to an empty page, possibly
 * over several runs. Its position `(write_date second, id)` is saved with
 * every page, so a run stopped by its deadline (even inside one second holding
 * more rows than a run can read) is continued by the next run after the saved
 * id, never from the start of that second. A new pass starts only once the
 * previous one ended: it re-reads the overlap before the cursor's second
 * (long Odoo transactions, see `SyncTuning.overlapMinutes`) and, within the
 * cursor's own second, only ids after the saved one.
 *
 * Each run records whether it moved forward (`stalled_runs`), which the
 * watchdog's `org_sync_stalled` check reads.
 */
import { asServiceRole, type Sql } from "../db.ts";
import type { OrgJob } from "./store.ts";
import type { Cursor } from "./types.ts";

/** The saved state of (org, job). */
export interface Progress {
  /** The furthest position ever stored; null = nothing yet. */
  cursor: Cursor | null;
  /** Position of the unfinished pass; null = the last pass ended. */
  pass: Cursor | null;
  /** When the unfinished (or the last) pass started; null = unknown. */
  passStartedAt: Date | null;
  /** Last id the unfinished full refresh stored; null = none in progress. */
  refreshAfterId: number | null;
  /** When the unfinished full refresh started. */
  refreshStartedAt: Date | null;
}

const NONE: Progress = {
  cursor: null,
  pass: null,
  passStartedAt: null,
  refreshAfterId: null,
  refreshStartedAt: null,
};

const position = (at: Date | null, id: string | null): Cursor | null =>
  at === null ? null : { writeDate: at, id: Number(id ?? 0) };

/**
 * The saved state of (org, job); every field null when it never ran.
 *
 * @example
 * const progress = await loadProgress(sql, { orgId, job: "crm" });
 */
export async function loadProgress(sql: Sql, { orgId, job }: OrgJob): Promise<Progress> {
  type Row = Record<string, Date | string | null>;
  const [r] = await asServiceRole(sql, (tx) =>
    tx<Row[]>`
      select cursor_write_date, cursor_id, pass_write_date, pass_id, pass_started_at,
        refresh_after_id, refresh_started_at
      from public.sync_cursors where org_id = ${orgId}::uuid and job = ${job}`);
  if (!r) return NONE;
  const d = (k: string) => r[k] as Date | null;
  const s = (k: string) => r[k] as string | null;
  return {
    cursor: position(d("cursor_write_date"), s("cursor_id")),
    pass: position(d("pass_write_date"), s("pass_id")),
    passStartedAt: d("pass_started_at"),
    refreshAfterId: s("refresh_after_id") === null ? null : Number(s("refresh_after_id")),
    refreshStartedAt: d("refresh_started_at"),
  };
}

/** Where a run's walk starts, what it skips, and when its pass started. */
export interface PassPlan {
  start: Cursor | null;
  /** The ids of this second up to this id were read by an earlier pass. */
  skip: Cursor | null;
  /** True when an unfinished pass continues (from inside a second, maybe). */
  resume: boolean;
  startedAt: Date;
}

const before = (a: Cursor, b: Cursor) =>
  a.writeDate.getTime() < b.writeDate.getTime() ||
  (a.writeDate.getTime() === b.writeDate.getTime() && a.id < b.id);

/**
 * Plans a run's walk: an unfinished pass continues from its saved position; a
 * new pass starts `overlapMinutes` before the start of the previous pass (the
 * last time everything committed was read; before issue 25 this was not
 * recorded, so the cursor stands in), never after the cursor, and skips the
 * cursor's own second up to its id.
 *
 * @example
 * const plan = planPass(await loadProgress(sql, { orgId, job }), new Date(), 15);
 */
export function planPass(p: Progress, now: Date, overlapMinutes = 15): PassPlan {
  const { cursor } = p;
  if (p.pass !== null) {
    const skip = cursor !== null && before(p.pass, cursor) ? cursor : null;
    return { start: p.pass, skip, resume: true, startedAt: p.passStartedAt ?? now };
  }
  const fresh = { resume: false, startedAt: now };
  if (cursor === null) return { start: null, skip: null, ...fresh };
  const anchor = p.passStartedAt ?? cursor.writeDate;
  const fromMs = Math.min(anchor.getTime(), now.getTime()) - overlapMinutes * 60_000;
  const from = Math.floor(fromMs / 1000) * 1000;
  if (from >= cursor.writeDate.getTime()) return { start: cursor, skip: null, ...fresh };
  return { start: { writeDate: new Date(from), id: 0 }, skip: cursor, ...fresh };
}

/**
 * Records that a pass reached the end: the next run starts a new one, whose
 * overlap is counted from `startedAt`. Also marks (org, job) as visited.
 *
 * @example
 * await finishPass(sql, { orgId, job: "crm" }, plan.startedAt);
 */
export async function finishPass(sql: Sql, { orgId, job }: OrgJob, startedAt: Date) {
  await asServiceRole(sql, (tx) =>
    tx`
      insert into public.sync_cursors (org_id, job, pass_started_at, updated_at)
      values (${orgId}::uuid, ${job}, ${startedAt}, now())
      on conflict (org_id, job) do update set pass_write_date = null, pass_id = null,
        pass_started_at = excluded.pass_started_at, updated_at = excluded.updated_at`);
}

/**
 * Counts runs without forward progress: `progressed` (the run finished its
 * work, or stored at least one page) resets `stalled_runs` to 0, anything else
 * (a failure included) adds one. The watchdog alerts `org_sync_stalled` at
 * `edge_guard_settings.stalled_runs`. A first row is stamped as never visited
 * (`updated_at` -infinity), so an organization the deadline stopped before its
 * first page keeps its place at the front of the queue (issue 14).
 *
 * @example
 * await recordProgress(sql, { orgId, job: "crm" }, result.complete || result.pages > 0);
 */
export async function recordProgress(sql: Sql, { orgId, job }: OrgJob, progressed: boolean) {
  await asServiceRole(sql, (tx) =>
    tx`
      insert into public.sync_cursors (org_id, job, stalled_runs, progressed_at, updated_at)
      values (${orgId}::uuid, ${job}, ${progressed ? 0 : 1},
        case when ${progressed} then now() end, '-infinity')
      on conflict (org_id, job) do update set
        stalled_runs = case when ${progressed} then 0 else sync_cursors.stalled_runs + 1 end,
        progressed_at = coalesce(excluded.progressed_at, sync_cursors.progressed_at)`);
}
