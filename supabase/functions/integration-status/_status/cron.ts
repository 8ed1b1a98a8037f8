/**
 * The next time a pg_cron schedule fires. pg_cron takes standard 5-field cron
 * expressions (minute hour day-of-month month day-of-week; `*`, `a`, `a-b`,
 * `/n` steps, lists) evaluated in `cron.timezone`, GMT by default
 * (citusdata/pg_cron README). Other forms (`'30 seconds'`, `@daily`, `$`
 * last day) give null: the page then says the time is not known.
 * Internal: use `../integration-status.ts`.
 */

const RANGES: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];

function parseField(field: string, [lo, hi]: [number, number]): Set<number> | null {
  const values = new Set<number>();
  for (const part of field.split(",")) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (m === null) return null;
    const from = m[1] === "*" ? lo : Number(m[2]);
    const to = m[1] === "*" ? hi : m[3] !== undefined ? Number(m[3]) : m[4] ? hi : from;
    const step = m[4] === undefined ? 1 : Number(m[4]);
    if (from < lo || to > hi || from > to || step < 1) return null;
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/**
 * The first minute after `after` (UTC) that `schedule` fires, or null when the
 * schedule is not a 5-field expression or does not fire within a year.
 *
 * @example
 * nextCronTime("*\/15 * * * *", new Date("2026-11-23T10:22:41Z")); // 2026-11-23T10:30:00Z
 */
export function nextCronTime(schedule: string, after: Date): Date | null {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return null;
  const sets = fields.map((f, i) => parseField(f, RANGES[i]));
  if (sets.some((s) => s === null)) return null;
  const [min, hour, dom, month, dow] = sets as Set<number>[];
  if (dow.has(7)) dow.add(0);
  // Standard cron: when both day fields are restricted, either may match.
  const domAny = fields[2] === "*", dowAny = fields[4] === "*";
  const dayMatches = (d: Date) => {
    const byDom = dom.has(d.getUTCDate()), byDow = dow.has(d.getUTCDay());
    return domAny || dowAny ? byDom && byDow : byDom || byDow;
  };
  const t = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  const limit = after.getTime() + 366 * 86_400_000;
  while (t.getTime() <= limit) {
    if (!month.has(t.getUTCMonth() + 1) || !dayMatches(t)) {
      t.setUTCHours(24, 0, 0, 0);
    } else if (!hour.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!min.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else {
      return t;
    }
  }
  return null;
}
