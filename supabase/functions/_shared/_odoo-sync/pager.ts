/**
 * Keyset paging over Odoo `search_read`, ordered `write_date asc, id asc`.
 * Internal: use `odoo-sync.ts`.
 *
 * Odoo stores `write_date` with microseconds (the transaction's `now()`) but
 * returns it truncated to the second, and every record written in one
 * transaction (an import, a mass edit) shares it. So the position is kept as
 * (second, id): the next query is "write_date >= second, minus the ids of that
 * second already seen". Because records of the last second of a page may be
 * only partly returned, those are left for the next query; a page that lies
 * inside a single second is walked by id within that second. No page can
 * repeat forever and no record is skipped.
 *
 * Only an EMPTY page ends the walk, never a short one: on Odoo 17, 18 and 19 a limited
 * search drops the records the user may not read AFTER the SQL LIMIT
 * (`addons/mail/models/mail_message.py` `_search`), so a page can be short
 * while more rows follow. A page shorter than the limit says nothing about
 * the second it ends in either, so it is treated like a full one.
 *
 * A pager can skip what an earlier pass already read of one second (`skip`):
 * a pass that re-reads the overlap before the saved cursor does not walk the
 * cursor's own second again from id 0, which for a second holding more rows
 * than one run can read (a module upgrade rewrites every lead in one
 * transaction) would never end (issue 25).
 */
import { formatOdooDatetime, type OdooClient, parseOdooDatetime } from "../odoo-client.ts";
import type { JobSpec, OdooRow } from "./jobs.ts";
import type { Cursor } from "./types.ts";

/** One step of the walk. */
export interface Page {
  /** Records to store now (possibly none). */
  rows: OdooRow[];
  /** Position after `rows`; null only when nothing has ever been seen. */
  cursor: Cursor | null;
  /** Records received from Odoo for this step (including any left for the next query). */
  fetched: number;
  /** False when the walk reached the end. */
  more: boolean;
}

/** Yields pages from `start` (null = the beginning) until the end. */
export interface Pager {
  next(): Promise<Page>;
}

const SECOND = 1000;

/**
 * The whole second of a record's write_date, in epoch ms (0 when it has none).
 *
 * @example
 * secondOf({ id: 1, write_date: "2024-03-01 09:30:00" }); // 1709285400000
 */
export function secondOf(rec: OdooRow): number {
  const d = typeof rec.write_date === "string" ? parseOdooDatetime(rec.write_date) : null;
  return d === null ? 0 : Math.floor(d.getTime() / SECOND) * SECOND;
}

const stamp = (ms: number) => formatOdooDatetime(new Date(ms));

/**
 * Domain for "after `cursor`": write_date >= its second, minus the ids of that second already seen.
 *
 * @example
 * afterCursor({ writeDate: new Date("2024-03-01T09:30:00Z"), id: 0 });
 * // [["write_date", ">=", "2024-03-01 09:30:00"]]
 */
export function afterCursor(cursor: Cursor | null): unknown[] {
  if (cursor === null) return [];
  const s = cursor.writeDate.getTime();
  if (cursor.id <= 0) return [["write_date", ">=", stamp(s)]];
  return [
    "|",
    ["write_date", ">=", stamp(s + SECOND)],
    "&",
    ["write_date", ">=", stamp(s)],
    ["id", ">", cursor.id],
  ];
}

/**
 * Domain leaving out the ids of `skip`'s second up to `skip.id` (read by an earlier pass).
 *
 * @example
 * notSeen({ writeDate: new Date("2024-03-01T09:30:00Z"), id: 7 });
 * // ["|", "|", ["write_date", "<", "2024-03-01 09:30:00"],
 * //  ["write_date", ">=", "2024-03-01 09:30:01"], ["id", ">", 7]]
 */
export function notSeen(skip: Cursor | null): unknown[] {
  if (skip === null || skip.id <= 0) return [];
  const s = skip.writeDate.getTime();
  return [
    "|",
    "|",
    ["write_date", "<", stamp(s)],
    ["write_date", ">=", stamp(s + SECOND)],
    ["id", ">", skip.id],
  ];
}

/** Where and how to page. */
export interface PagerOptions {
  spec: JobSpec;
  /** Saved position; null = from the beginning. A position inside a second resumes that second first. */
  start: Cursor | null;
  /** Ids already read in one second (see {@linkcode notSeen}); null = none. */
  skip?: Cursor | null;
  /** `start` is where an unfinished walk stopped: finish its second first. Default false. */
  resume?: boolean;
  pageSize: number;
}

/**
 * Creates a pager for one organization's Odoo.
 *
 * @example
 * const pager = createPager(client, { spec: jobSpec("crm"), start: null, pageSize: 500 });
 * for (let page = await pager.next(); ; page = await pager.next()) if (!page.more) break;
 */
export function createPager(client: OdooClient, options: PagerOptions): Pager {
  const { spec, start, pageSize } = options;
  const skip = notSeen(options.skip ?? null);
  let cursor = start;
  // A run that stopped inside a second finishes that second first.
  let inSecond = options.resume === true && start !== null && start.id > 0;
  const read = (domain: unknown[], order: string) =>
    client.searchRead(spec.model, [...spec.baseDomain, ...skip, ...domain], {
      fields: spec.fields,
      order,
      limit: pageSize,
      // Archived leads too (`odoo/models.py` `_search`: active_test).
      context: { active_test: false },
    });

  async function secondPage(fetchedBefore: number): Promise<Page> {
    const s = cursor!.writeDate.getTime();
    const rows = await read([
      ["write_date", ">=", stamp(s)],
      ["write_date", "<", stamp(s + SECOND)],
      ["id", ">", cursor!.id],
    ], "id asc");
    if (rows.length === 0) inSecond = false;
    if (rows.length > 0) {
      cursor = { writeDate: new Date(s), id: rows[rows.length - 1].id as number };
    }
    return { rows, cursor, fetched: fetchedBefore + rows.length, more: true };
  }

  async function next(): Promise<Page> {
    if (inSecond) return await secondPage(0);
    const rows = await read(afterCursor(cursor), "write_date asc, id asc");
    if (rows.length === 0) return { rows, cursor, fetched: 0, more: false };
    const last = secondOf(rows[rows.length - 1]);
    const done = rows.filter((r) => secondOf(r) < last);
    if (done.length > 0) {
      cursor = { writeDate: new Date(last), id: 0 };
      return { rows: done, cursor, fetched: rows.length, more: true };
    }
    // A page inside one second: walk that second by id.
    inSecond = true;
    if (cursor === null || cursor.writeDate.getTime() < last) {
      cursor = { writeDate: new Date(last), id: 0 };
    }
    return await secondPage(rows.length);
  }

  return { next };
}
