/** The status in words: overall state, last success, last attempt, next attempt, history. */
import assert from "node:assert/strict";
import {
  historyWords,
  lastAttemptWords,
  lastSuccessWords,
  nextAttemptWords,
  type Overall,
  overallWords,
  type RunView,
} from "./words.ts";
import { alertWords } from "./codes.ts";
import { codesOf, ERROR_CATALOGUE } from "../../supabase/functions/_shared/error-catalogue.ts";

const time = (iso: string) => iso.slice(11, 16);
const T = "2026-11-23T10:22:41.000Z";

Deno.test("overallWords: each state in words, with since/until", () => {
  const o = (state: Overall["state"], since: string | null = null, until: string | null = null) =>
    overallWords({ state, since, until, because: [] }, time);
  const cases: [string, ReturnType<typeof o>, string, RegExp][] = [
    ["healthy", o("healthy"), "success", /^Healthy/],
    ["syncing", o("syncing"), "info", /^Syncing: a run is in progress/],
    ["failing", o("failing", T), "error", /^Failing since 10:22: see the alerts/],
    ["stale", o("stale", T), "error", /^Stale since 10:22/],
    ["waiting", o("waiting", null, T), "error", /^Waiting to retry until 10:22/],
    ["not synced", o("not_synced", null, T), "info", /^Not synced yet: first sync at 10:22/],
  ];
  for (const [name, m, tone, text] of cases) {
    assert.equal(m.tone, tone, name);
    assert.match(m.text, text, name);
  }
});

const run = (over: Partial<RunView>): RunView => ({
  run_id: 1,
  status: "succeeded",
  trigger: "scheduled",
  started_at: T,
  finished_at: T,
  fetched: 25,
  upserted: 24,
  pages: 1,
  error: null,
  ...over,
});

Deno.test("job words: last attempt with what to do, last success, next attempt and why, history", () => {
  const cases: [string, string, string | RegExp][] = [
    ["no attempt", lastAttemptWords(null, time), "No attempt yet."],
    [
      "success",
      lastAttemptWords(run({}), time),
      "Succeeded: 25 fetched, 24 saved (10:22, schedule).",
    ],
    [
      "failure: the code and what to do",
      lastAttemptWords(
        run({ status: "failed", error: "odoo_auth_failed", trigger: "manual" }),
        time,
      ),
      /^Failed \(odoo_auth_failed\) \(10:22, sync now\)\. Odoo refused .*new API key/,
    ],
    ["never succeeded", lastSuccessWords(null, time), "Never."],
    [
      "last success",
      lastSuccessWords({ at: T, fetched: 3, upserted: 3 }, time),
      "10:22: 3 fetched, 3 saved.",
    ],
    ["schedule", nextAttemptWords({ at: T, reason: "schedule", failures: 0 }, time), /on schedule/],
    [
      "backoff",
      nextAttemptWords({ at: T, reason: "backoff", failures: 3 }, time),
      "10:22: retry after 3 failures in a row (backing off).",
    ],
    ["parked", nextAttemptWords({ at: T, reason: "parked", failures: 6 }, time), /parked/],
    [
      "in flight",
      nextAttemptWords({ at: null, reason: "in_flight", failures: 0 }, time),
      /run is in progress/,
    ],
    [
      "paused",
      nextAttemptWords({ at: null, reason: "not_scheduled", failures: 0 }, time),
      /^Not scheduled/,
    ],
    [
      "history line",
      historyWords(run({ trigger: "manual", status: "incomplete" }), time),
      "10:22 · sync now · Incomplete (continues next run): 25 fetched, 24 saved",
    ],
  ];
  for (const [name, actual, expected] of cases) {
    if (typeof expected === "string") assert.equal(actual, expected, name);
    else assert.match(actual, expected, name);
  }
});

Deno.test("alertWords: every watchdog check's title, meaning and action from the catalogue", () => {
  for (const code of codesOf("alert")) {
    const words = alertWords(code);
    const entry = ERROR_CATALOGUE[code];
    assert.equal(words.title, entry.title, code);
    assert.ok(words.meaning.length > 0 && !words.meaning.includes("`"), code);
    const addressed = entry.scope === "project" ? /^Tell your operator .*: / : /^(?!Tell)/;
    assert.match(words.action, addressed, `${code}: a project-wide alert is the operator's`);
  }
  assert.match(alertWords("http_auth_rejected").action, /service_role_key/);
  assert.equal(alertWords("new_check").title, "new_check", "an unknown code is named");
});
