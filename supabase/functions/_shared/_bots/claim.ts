/**
 * Claiming due bots: one short transaction that locks the due rows with
 * `FOR UPDATE SKIP LOCKED` (an overlapping scheduler run skips them instead of
 * waiting or picking them too) and advances their next_run_at before commit.
 * Internal to bots.ts.
 */
import { asServiceRole, type Sql } from "../db.ts";

/** A bot the scheduler claimed for this tick. */
export interface ClaimedBot {
  id: string;
  org_id: string;
  timeout_ms: number;
}

/** Options of {@linkcode claimDueBots}. */
export interface ClaimOptions {
  now: Date;
  /** Only this organisation's bots; null = all. */
  orgId: string | null;
  /** At most this many bots per tick; the rest stay due for the next tick. */
  limit: number;
  /**
   * Bound on executor work in flight across overlapping ticks: a tick claims at
   * most `maxInFlight` minus the bot runs still `running` (started in the last
   * 10 minutes; older ones are treated as lost). Default 20.
   */
  maxInFlight?: number;
}

/**
 * Claims the enabled bots with next_run_at <= now, oldest first, and moves
 * each one's next_run_at to the first slot of its grid after now:
 * next_run_at + k * interval with k >= 1, i.e. greatest(next_run_at + interval,
 * the slot aligned to now). After an outage a bot runs once, not once per
 * missed slot, and keeps its phase. Bots left out by `limit` or `maxInFlight`
 * keep their next_run_at and go first next tick (oldest first).
 */
export async function claimDueBots(sql: Sql, o: ClaimOptions): Promise<ClaimedBot[]> {
  const rows = await asServiceRole(sql, (tx) =>
    tx<ClaimedBot[]>`
      with due as (
        select id from public.bots
        where enabled and next_run_at <= ${o.now}
          and (${o.orgId}::uuid is null or org_id = ${o.orgId}::uuid)
        order by next_run_at
        limit greatest(0, least(${o.limit}, ${o.maxInFlight ?? 20} - (
          select count(*) from public.bot_runs r
          where r.status = 'running' and r.started_at > ${o.now}::timestamptz - interval '10 minutes')))
        for update skip locked
      )
      update public.bots b
      set next_run_at = b.next_run_at + make_interval(mins => b.interval_minutes) * (
            floor(extract(epoch from (${o.now}::timestamptz - b.next_run_at))
              / (60 * b.interval_minutes)) + 1),
          updated_at = now()
      from due
      where b.id = due.id
      returning b.id, b.org_id, b.timeout_ms`);
  return rows.map((r) => ({ id: r.id, org_id: r.org_id, timeout_ms: r.timeout_ms }));
}
