/**
 * Helpers for Odoo's JSON value conventions. Internal: import them from
 * `odoo-client.ts`.
 */

// Odoo's DEFAULT_SERVER_DATETIME_FORMAT ("%Y-%m-%d %H:%M:%S"), always UTC.
const DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/**
 * Parses an Odoo datetime (`"YYYY-MM-DD HH:MM:SS"`, UTC) into a `Date`.
 *
 * @param s the field value; Odoo sends `false` for an empty datetime.
 * @returns the instant, or `null` for `false`.
 * @throws {RangeError} when `s` is not in Odoo's format or is not a real date.
 * @example
 * parseOdooDatetime("2024-03-01 09:30:00"); // 2024-03-01T09:30:00.000Z
 * parseOdooDatetime(false); // null
 */
export function parseOdooDatetime(s: string | false): Date | null {
  if (s === false) return null;
  const m = typeof s === "string" ? DATETIME.exec(s) : null;
  if (!m) throw new RangeError(`not an Odoo datetime: ${JSON.stringify(s)}`);
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number);
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, se, ms));
  const roundTrip = date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d && date.getUTCHours() === h && date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === se;
  if (!roundTrip) throw new RangeError(`not an Odoo datetime: ${JSON.stringify(s)}`);
  return date;
}

/**
 * Formats a `Date` the way Odoo stores datetimes: UTC `"YYYY-MM-DD HH:MM:SS"`.
 * Milliseconds are dropped (truncated), as Odoo keeps whole seconds.
 *
 * @param d the instant.
 * @returns the Odoo string, usable in a domain such as `["write_date", ">", s]`.
 * @throws {RangeError} for an invalid date.
 * @example
 * formatOdooDatetime(new Date("2024-03-01T09:30:00.750Z")); // "2024-03-01 09:30:00"
 */
export function formatOdooDatetime(d: Date): string {
  return d.toISOString().slice(0, 19).replace("T", " ");
}

/**
 * Reads a many2one value, which Odoo sends as `[id, "display name"]` or `false`.
 *
 * @param v the field value.
 * @returns `{ id, name }`, or `null` when the field is empty.
 * @throws {TypeError} when `v` is neither `false` nor an `[id, name]` pair.
 * @example
 * many2one([3, "Qualified"]); // { id: 3, name: "Qualified" }
 * many2one(false); // null
 */
export function many2one(v: unknown): { id: number; name: string } | null {
  if (v === false || v === null || v === undefined) return null;
  if (Array.isArray(v) && v.length === 2 && Number.isInteger(v[0])) {
    // Odoo sends `false` as the name when the display name is empty.
    if (typeof v[1] === "string" || v[1] === false) return { id: v[0], name: v[1] || "" };
  }
  throw new TypeError("not an Odoo many2one value");
}

/**
 * Turns Odoo's `false` ("no value", for char, text, date, many2one… fields)
 * into `null`. Do not use it on boolean fields, where `false` is a value.
 *
 * @param v the field value.
 * @returns `v`, or `null` when it is `false`.
 * @example
 * odooValue<string>("ada@example.com"); // "ada@example.com"
 * odooValue<string>(false); // null
 */
export function odooValue<T>(v: T | false): T | null {
  return v === false ? null : v;
}
