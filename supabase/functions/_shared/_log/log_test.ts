/**
 * describeError (the one description of a caught error: bounded, one line,
 * no secret, no text of a non-Error value) and functionLogger (function_name
 * on every line).
 */
import assert from "node:assert/strict";
import { createLogger, describeError, functionLogger } from "../log.ts";

const KEY = "odoo-api-key-0123456789";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2ln";
const coded = Object.assign(new Error("permission denied for schema vault"), { code: "42501" });
coded.name = "PostgresError";
const hostile = new Proxy({}, {
  getPrototypeOf() {
    throw new Error("trap");
  },
});

Deno.test("describeError: one bounded line, no secret, no text of a value that is not an Error", async (t) => {
  const cases: [string, unknown, { secrets?: string[]; max?: number }, string | RegExp][] = [
    ["name and message", new TypeError("boom"), {}, "TypeError: boom"],
    [
      "name, code and message",
      coded,
      {},
      "PostgresError 42501: permission denied for schema vault",
    ],
    ["name alone", new RangeError(""), {}, "RangeError"],
    [
      "a given secret",
      new Error(`bad key ${KEY}`),
      { secrets: [KEY] },
      "Error: bad key [redacted]",
    ],
    ["a token", new Error(`Bearer ${JWT} refused`), {}, "Error: Bearer eyJ… refused"],
    [
      "a URL (its query may hold a token)",
      new TypeError("error sending request for url (https://h/x?apikey=s3cr3t)"),
      {},
      "TypeError: error sending request for url ([url])",
    ],
    ["one line", new Error("a\nb\r\n\tc"), {}, "Error: a b c"],
    ["bounded", new Error("x".repeat(5_000)), { max: 50 }, /^Error: x{42}…$/],
    ["a thrown string, by its type only", `token ${JWT}`, {}, "string"],
    ["a thrown object, by its type only", { message: `key ${KEY}` }, {}, "object"],
    ["null", null, {}, "null"],
    ["a hostile Proxy", hostile, {}, "unknown"],
  ];
  for (const [name, err, o, expected] of cases) {
    await t.step(name, () => {
      const text = describeError(err, o);
      if (typeof expected === "string") assert.equal(text, expected);
      else assert.match(text, expected);
      assert.ok(
        !text.includes(KEY) && !text.includes("s3cr3t") && !text.includes(JWT.slice(4, 20)),
      );
    });
  }
});

Deno.test("functionLogger: every line carries function_name", () => {
  const lines: string[] = [];
  const logger = functionLogger("bot-scheduler", createLogger((l) => lines.push(l)));
  logger("info", "a");
  logger("warn", "b", { reason: "x" });
  logger("error", "c", { function_name: "bot-scheduler", n: 1 });
  const events = lines.map((l) => JSON.parse(l));
  assert.deepEqual(events.map((e) => [e.event, e.function_name]), [
    ["a", "bot-scheduler"],
    ["b", "bot-scheduler"],
    ["c", "bot-scheduler"],
  ]);
  assert.equal(events[1].reason, "x");
});
