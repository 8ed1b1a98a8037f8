/** nextCronTime: the pg_cron expressions the migrations use, and the forms it declines. */
import assert from "node:assert/strict";
import { nextCronTime } from "./status.ts";

Deno.test("nextCronTime: next firing in UTC, or null", () => {
  const at = new Date("2026-11-23T10:22:41Z");
  const cases: [string, string | null][] = [
    ["*/15 * * * *", "2026-11-23T10:30:00.000Z"],
    ["5-59/15 * * * *", "2026-11-23T10:35:00.000Z"],
    ["* * * * *", "2026-11-23T10:23:00.000Z"],
    ["17 3 * * *", "2026-11-24T03:17:00.000Z"],
    ["0 9 * * 1", "2026-11-30T09:00:00.000Z"],
    ["0 0 1 1 *", "2027-01-01T00:00:00.000Z"],
    ["0 12 31 2 *", null],
    ["30 seconds", null],
    ["61 * * * *", null],
    ["@daily", null],
  ];
  for (const [schedule, next] of cases) {
    assert.equal(nextCronTime(schedule, at)?.toISOString() ?? null, next, schedule);
  }
});
