/**
 * Issue 11: `withAuth` never throws and never logs without bound. One row per
 * kind of thrown value (or broken return); each answers 500 internal_error with
 * CORS and logs one `handler_error` line that is valid JSON, at most 16 KiB,
 * with no raw control character. Then the logger's own bounds.
 */
import assert from "node:assert/strict";
import { loadAuthConfig, withAuth } from "../auth-guard.ts";
import { createLogger, MAX_LOG_LINE_BYTES } from "../log.ts";
import { TEST_SECRET_KEY, testAuthEnv } from "../../../../tests/support/tokens.ts";
import { makeRequest } from "../../../../tests/support/guard_harness.ts";

const config = loadAuthConfig(testAuthEnv());
// deno-lint-ignore no-control-regex -- the point is to find raw control characters
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const hostile = new Proxy({}, {
  get() {
    throw new Error("trap");
  },
  getPrototypeOf() {
    throw new Error("trap");
  },
});
const badMessage = new Error("x");
Object.defineProperty(badMessage, "message", {
  get() {
    throw new Error("getter");
  },
});

const THROWN: [string, () => unknown][] = [
  ["an Error", () => new Error("database password is hunter2")],
  ["null", () => null],
  ["undefined", () => undefined],
  ["a number", () => 42],
  ["a string", () => "plain string"],
  ["a null-prototype object", () => Object.create(null)],
  ["a null-prototype object with fields", () => Object.assign(Object.create(null), { a: 1 })],
  ["a Proxy whose every trap throws", () => hostile],
  ["an Error whose message getter throws", () => badMessage],
  ["an Error with a 100 KB message", () => new Error("m".repeat(100_000))],
  ["an Error with control characters", () => new Error("a\u0000b\u001b[31m\u2028c\u007f\r\n")],
  ["a symbol", () => Symbol("s")],
  ["a BigInt", () => 10n ** 30n],
];

const CASES: [string, () => Response | Promise<Response>][] = [
  ...THROWN.map(([name, make]): [string, () => Response] => [`throws ${name}`, () => {
    throw make();
  }]),
  ...THROWN.slice(0, 6).map(([name, make]): [string, () => Promise<Response>] => [
    `rejects with ${name}`,
    () => Promise.reject(make()),
  ]),
  ["returns undefined", () => undefined as unknown as Response],
  ["returns a plain object", () => ({ status: 200 }) as unknown as Response],
];

for (const [name, handler] of CASES) {
  Deno.test(`withAuth: a handler that ${name} -> 500 internal_error, one bounded log line`, async () => {
    const lines: string[] = [];
    const logger = createLogger((line) => lines.push(line));
    const wrapped = withAuth(handler, { config, logger, functionName: "fn" });
    const res = await wrapped(makeRequest({ bearer: TEST_SECRET_KEY }));
    assert.equal(res.status, 500);
    assert.equal(await res.text(), '{"error":"internal_error"}');
    assert.equal(res.headers.get("Access-Control-Allow-Origin"), "*");
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.ok(new TextEncoder().encode(line).byteLength <= MAX_LOG_LINE_BYTES, "≤ 16 KiB");
    assert.ok(!RAW_CONTROL.test(line), "no raw control character");
    assert.equal(JSON.parse(line).event, "handler_error");
  });
}

Deno.test("withAuth: a logger that throws does not stop the answer", async () => {
  const wrapped = withAuth(() => {
    throw new Error("x");
  }, {
    config,
    logger: () => {
      throw new Error("log sink down");
    },
  });
  assert.equal((await wrapped(makeRequest({ bearer: TEST_SECRET_KEY }))).status, 500);
});

const cyclic: Record<string, unknown> = {};
cyclic.self = cyclic;
const LOG_CASES: [string, Record<string, unknown>][] = [
  ["a 100 KB string", { message: "x".repeat(100_000) }],
  [
    "a thousand 2 KB fields",
    Object.fromEntries([...Array(1000)].map((_, i) => [`f${i}`, "y".repeat(2048)])),
  ],
  ["multi-byte characters", { message: "\u{1F600}".repeat(50_000) }],
  ["a cycle", { cyclic }],
  ["a BigInt", { n: 10n }],
  ["control and line-break characters", { message: "a\u0000\u001b\u007f\u0085\u2028\u2029b" }],
  [
    "a throwing getter",
    Object.defineProperty({}, "x", {
      enumerable: true,
      get: () => {
        throw new Error("g");
      },
    }),
  ],
];

for (const [name, fields] of LOG_CASES) {
  Deno.test(`log: ${name} -> one JSON line of at most 16 KiB`, () => {
    const lines: string[] = [];
    createLogger((line) => lines.push(line))("error", "test_event", fields);
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.ok(new TextEncoder().encode(line).byteLength <= MAX_LOG_LINE_BYTES);
    assert.ok(!RAW_CONTROL.test(line));
    const parsed = JSON.parse(line);
    assert.deepEqual([parsed.level, parsed.event], ["error", "test_event"]);
  });
}

Deno.test("log: a sink that throws does not make the logger throw", () => {
  createLogger(() => {
    throw new Error("disk full");
  })("info", "e", {});
});
