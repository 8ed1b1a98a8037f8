import assert from "node:assert/strict";
import {
  createOdooClient as createProductionClient,
  formatOdooDatetime,
  many2one,
  OdooAuthError,
  type OdooClientOptions,
  OdooError,
  OdooHttpError,
  OdooNetworkError,
  OdooRpcError,
  OdooTimeoutError,
  odooValue,
  parseOdooDatetime,
} from "./odoo-client.ts";
import { createLogger } from "./log.ts";
import { outboundPolicy } from "./outbound.ts";
import { captureLogs, recordLogLine } from "../../../tests/support/guard_harness.ts";
import {
  makeLeads,
  type OdooFailure,
  type OdooTestServer,
  startOdooServer,
} from "../../local/odoo.ts";

/**
 * These tests' Odoo is a local fake (127.0.0.1) or a scripted fetch for the name
 * `odoo.test`: the development allowance, and a resolver that gives `odoo.test` a
 * public address. outbound_policy_test.ts tests the production policy.
 */
const TEST_POLICY = outboundPolicy({
  allowPrivate: true,
  resolve: () => Promise.resolve(["93.184.215.14"]),
});
const createOdooClient: typeof createProductionClient = (conn, options = {}) =>
  createProductionClient(conn, { policy: TEST_POLICY, ...options });

const KEY = "odoo-api-key-5f0c9e2b7d";
const USER = { login: "sync@acme.test", apiKey: KEY, uid: 7 };

interface Harness {
  odoo: OdooTestServer;
  sleeps: number[];
  lines: string[];
  fetches: () => number;
  client: (
    conn?: Partial<{ login: string; apiKey: string; baseUrl: string }>,
    opts?: OdooClientOptions,
  ) => ReturnType<typeof createOdooClient>;
}

async function withOdoo(fn: (h: Harness) => Promise<void>) {
  const odoo = startOdooServer({
    db: "acme",
    users: [USER],
    records: {
      "crm.lead": makeLeads(25, { start: new Date("2024-03-01T00:00:00Z"), sameTimestampEvery: 4 }),
    },
  });
  const sleeps: number[] = [];
  // Kept for the test, and recorded for the suite-wide leak scan (EDGE_GUARD_LOG_FILE).
  const { lines, logger } = captureLogs();
  let fetchCount = 0;
  const countingFetch: typeof fetch = (input, init) => {
    fetchCount++;
    return fetch(input, init);
  };
  const h: Harness = {
    odoo,
    sleeps,
    lines,
    fetches: () => fetchCount,
    client: (conn = {}, opts = {}) =>
      createOdooClient(
        { baseUrl: odoo.url, db: "acme", login: USER.login, apiKey: KEY, ...conn },
        {
          fetch: countingFetch,
          sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
          logger,
          ...opts,
        },
      ),
  };
  try {
    await fn(h);
  } finally {
    await odoo.close();
  }
}

const methodCalls = (odoo: OdooTestServer, method: string) =>
  odoo.calls().filter((c) => c.method === method).length;

Deno.test("authenticate returns the uid; a refused login or key is an OdooAuthError, not retried", async () => {
  await withOdoo(async ({ odoo, client, sleeps }) => {
    assert.equal(await client().authenticate(), 7);
    for (const conn of [{ apiKey: "wrong-key" }, { login: "nobody@acme.test" }]) {
      const before = methodCalls(odoo, "authenticate");
      await assert.rejects(client(conn).authenticate(), OdooAuthError);
      assert.equal(methodCalls(odoo, "authenticate") - before, 1);
    }
    assert.deepEqual(sleeps, []);
  });
});

Deno.test("searchRead sends domain/order/limit/offset and pages through the right ids", async () => {
  await withOdoo(async ({ odoo, client }) => {
    const odooClient = client();
    const domain = ["|", ["write_date", ">", "2024-03-01 00:02:00"], ["stage_id", "=", 1]];
    const seen: number[] = [];
    for (let offset = 0;; offset += 4) {
      const page = await odooClient.searchRead("crm.lead", domain, {
        fields: ["write_date", "stage_id"],
        order: "write_date desc, id asc",
        limit: 4,
        offset,
      });
      seen.push(...page.map((r) => r.id as number));
      if (page.length < 4) break;
    }
    // write_date runs of 4: ids 1-4 at 00:00 … id 25 at 00:06; stage 1 (New) = ids 4, 8, 12, …
    const expected = [25, 21, 22, 23, 24, 17, 18, 19, 20, 13, 14, 15, 16, 12, 8, 4];
    assert.deepEqual(seen, expected);
    assert.equal(methodCalls(odoo, "authenticate"), 1, "the uid is cached");
    const first = odoo.calls().find((c) => c.method === "search_read");
    assert.deepEqual(first, {
      service: "object",
      method: "search_read",
      model: "crm.lead",
      args: [],
      kwargs: {
        domain,
        fields: ["write_date", "stage_id"],
        limit: 4,
        offset: 0,
        order: "write_date desc, id asc",
      },
    });
  });
});

Deno.test("AccessDenied on execute_kw is an OdooAuthError, never retried, and drops the cached uid", async () => {
  await withOdoo(async ({ odoo, client, sleeps }) => {
    const odooClient = client();
    odoo.setFailure({ kind: "accessDenied", times: 1 });
    await assert.rejects(
      odooClient.searchRead("crm.lead", [], { fields: ["name"] }),
      OdooAuthError,
    );
    assert.equal(methodCalls(odoo, "search_read"), 1);
    assert.deepEqual(sleeps, []);
    assert.equal((await odooClient.searchRead("crm.lead", [], { fields: ["name"] })).length, 25);
    assert.equal(methodCalls(odoo, "authenticate"), 2);
  });
});

const RETRY_CASES: [string, OdooFailure, number][] = [
  ["HTTP 500", { kind: "http500", times: 2 }, 3],
  ["dropped connection", { kind: "drop", times: 1 }, 2],
  ["slow once", { kind: "slow", delayMs: 5_000, times: 1 }, 2],
];

Deno.test("transient failures are retried with backoff, then succeed", async () => {
  for (const [name, failure, attempts] of RETRY_CASES) {
    await withOdoo(async ({ odoo, client, sleeps, lines }) => {
      const timeoutMs = failure.kind === "slow" ? 300 : 5_000;
      const odooClient = client({}, { timeoutMs, backoffMs: 100 });
      await odooClient.authenticate();
      odoo.setFailure({ ...failure, model: "crm.lead" });
      const rows = await odooClient.searchRead("crm.lead", [["id", "<=", 3]], { fields: ["name"] });
      assert.equal(rows.length, 3, name);
      assert.equal(methodCalls(odoo, "search_read"), attempts, name);
      assert.equal(sleeps.length, attempts - 1, name);
      sleeps.forEach((ms, i) => {
        const ceiling = 100 * 2 ** i;
        assert.ok(
          ms >= ceiling / 2 && ms <= ceiling,
          `${name}: delay ${ms} outside [${ceiling / 2}, ${ceiling}]`,
        );
      });
      assert.equal(
        lines.filter((l) => JSON.parse(l).event === "odoo_rpc_retry").length,
        attempts - 1,
      );
    });
  }
});

const EXHAUSTED_CASES: [string, OdooFailure, new (...a: never[]) => OdooError][] = [
  ["HTTP 500", { kind: "http500" }, OdooHttpError],
  ["timeout", { kind: "slow", delayMs: 10_000 }, OdooTimeoutError],
  ["dropped connection", { kind: "drop" }, OdooNetworkError],
];

Deno.test("retries are bounded: retries + 1 attempts, then a typed error", async () => {
  for (const [name, failure, type] of EXHAUSTED_CASES) {
    await withOdoo(async ({ odoo, client, sleeps }) => {
      const timeoutMs = failure.kind === "slow" ? 100 : 5_000;
      const odooClient = client({}, { timeoutMs, retries: 3 });
      await odooClient.authenticate();
      odoo.setFailure({ ...failure, model: "crm.lead" });
      const t0 = performance.now();
      const err = await odooClient.searchRead("crm.lead", [], { fields: ["name"] }).catch((e) => e);
      assert.ok(err instanceof type, `${name}: got ${err}`);
      assert.equal(err.attempts, 4, name);
      assert.equal(methodCalls(odoo, "search_read"), 4, name);
      assert.equal(sleeps.length, 3, name);
      assert.ok(performance.now() - t0 < 2_000, `${name}: took too long`);
      if (err instanceof OdooHttpError) assert.equal(err.status, 500);
    });
  }
});

Deno.test("Odoo application errors and other 4xx are not retried", async () => {
  await withOdoo(async ({ odoo, client, sleeps, fetches }) => {
    const err = await client().searchRead("crm.lead", [], { fields: ["name", "nope"] }).catch((e) =>
      e
    );
    assert.ok(err instanceof OdooRpcError);
    assert.equal(err.name, "OdooRpcError");
    assert.equal(err.odooName, "builtins.ValueError");
    assert.equal(err.code, "odoo_error");
    assert.equal(err.odooMessage, "Invalid field 'nope' on model 'crm.lead'");
    assert.match(err.debug, /^Traceback/);
    assert.equal(methodCalls(odoo, "search_read"), 1);
    const before = fetches();
    const notFound = await client({ baseUrl: `${odoo.url}/web` }).authenticate().catch((e) => e);
    assert.ok(notFound instanceof OdooHttpError && notFound.status === 404, String(notFound));
    // Asked once each, never retried: version_info, then /web/version.
    assert.equal(fetches() - before, 2);
    assert.deepEqual(sleeps, []);
  });
});

/** A fetch that answers from a script of responses, recording each request body. */
function scriptedFetch(script: (() => Response)[], bodies: unknown[] = []): typeof fetch {
  let i = 0;
  return (_input, init) => {
    bodies.push(JSON.parse(String(init?.body)));
    const next = script[Math.min(i++, script.length - 1)];
    return Promise.resolve(next());
  };
}
const rpcResult = (id: number, result: unknown) => () =>
  Response.json({ jsonrpc: "2.0", id, result });

Deno.test("HTTP 429 is retried; code 100 (session expired) is an OdooAuthError", async () => {
  const sleeps: number[] = [];
  const bodies: Record<string, unknown>[] = [];
  const fetch429 = scriptedFetch([
    () => new Response("slow down", { status: 429 }),
    rpcResult(1, 9),
  ], bodies);
  const conn = { baseUrl: "https://odoo.test/", db: "d", login: "l", apiKey: KEY };
  // Off the test's hands, but into the suite-wide leak scan (EDGE_GUARD_LOG_FILE).
  const quiet = {
    api: "jsonrpc" as const,
    logger: createLogger(recordLogLine),
    sleep: (ms: number) => (sleeps.push(ms), Promise.resolve()),
  };
  assert.equal(await createOdooClient(conn, { ...quiet, fetch: fetch429 }).authenticate(), 9);
  assert.equal(sleeps.length, 1);
  assert.deepEqual(bodies[0], {
    jsonrpc: "2.0",
    method: "call",
    params: { service: "common", method: "authenticate", args: ["d", "l", KEY, {}] },
    id: 1,
  });
  const expired = scriptedFetch([() =>
    Response.json({
      jsonrpc: "2.0",
      id: 1,
      error: {
        code: 100,
        message: "Odoo Session Expired",
        data: { name: "odoo.http.SessionExpiredException" },
      },
    })]);
  await assert.rejects(
    createOdooClient(conn, { ...quiet, fetch: expired }).authenticate(),
    OdooAuthError,
  );
  const notRpc = scriptedFetch([() => new Response("<html>login</html>")]);
  await assert.rejects(
    createOdooClient(conn, { ...quiet, fetch: notRpc }).authenticate(),
    OdooError,
  );
});

Deno.test("the API key never appears in errors or logs", async () => {
  const errors: unknown[] = [];
  const { lines, logger } = captureLogs();
  await withOdoo(async ({ odoo }) => {
    const opts = (timeoutMs: number) => ({
      timeoutMs,
      retries: 1,
      sleep: () => Promise.resolve(),
      logger,
    });
    const conn = { baseUrl: odoo.url, db: "acme", login: USER.login, apiKey: KEY };
    const failures = [null, "http500", "slow", "drop", "accessDenied"] as const;
    for (const kind of failures) {
      odoo.setFailure(kind && { kind });
      const apiKey = kind ? KEY : `${KEY}-wrong`;
      const c = createOdooClient({ ...conn, apiKey }, opts(kind === "slow" ? 100 : 5_000));
      errors.push(await c.searchRead("crm.lead", [], { fields: ["name"] }).catch((e) => e));
    }
    odoo.setFailure(null);
    errors.push(
      await createOdooClient(conn, opts(5_000)).searchRead("crm.lead", [["x", "=", KEY]], {
        fields: [],
      })
        .catch((e) => e),
    );
  });
  // A server that quotes the key back (Odoo puts call arguments in some messages).
  const echo = scriptedFetch([() =>
    Response.json({
      jsonrpc: "2.0",
      id: 1,
      error: {
        code: 200,
        message: "Odoo Server Error",
        data: { name: "builtins.TypeError", message: `bad ${KEY}`, debug: `args ${KEY}` },
      },
    })]);
  const echoClient = createOdooClient({
    baseUrl: "https://odoo.test",
    db: "d",
    login: "l",
    apiKey: KEY,
  }, {
    fetch: echo,
    logger,
  });
  errors.push(await echoClient.authenticate().catch((e) => e));
  const failingFetch: typeof fetch = () =>
    Promise.reject(new TypeError(`connect failed for ${KEY}`));
  errors.push(
    await createOdooClient({ baseUrl: "https://odoo.test", db: "d", login: "l", apiKey: KEY }, {
      fetch: failingFetch,
      retries: 0,
      logger,
    }).authenticate().catch((e) => e),
  );

  assert.equal(errors.length, 8);
  const types = errors.map((e) => (e as Error).constructor.name);
  assert.deepEqual(types, [
    "OdooAuthError",
    "OdooHttpError",
    "OdooTimeoutError",
    "OdooNetworkError",
    "OdooAuthError",
    "OdooRpcError",
    "OdooRpcError",
    "OdooNetworkError",
  ]);
  assert.ok(lines.length >= 8, "failures were logged");
  for (const e of errors) {
    const err = e as OdooError & Record<string, unknown>;
    for (
      const text of [
        err.message,
        String(err),
        err.stack ?? "",
        JSON.stringify({ ...err }),
        Deno.inspect(err),
      ]
    ) {
      assert.ok(!text.includes(KEY), `key leaked by ${err.constructor.name}: ${text}`);
    }
  }
  assert.ok((errors[6] as OdooRpcError).odooMessage.includes("[redacted]"));
  for (const line of lines) assert.ok(!line.includes(KEY), `key leaked in log: ${line}`);
});

Deno.test("createOdooClient rejects an incomplete connection without echoing it", () => {
  const base = { baseUrl: "https://odoo.test", db: "d", login: "l", apiKey: KEY };
  const cases: [Partial<typeof base>, RegExp][] = [
    [{ apiKey: "" }, /conn\.apiKey is required/],
    [{ db: "" }, /conn\.db is required/],
    [{ baseUrl: "not a url" }, /not a URL/],
    [{ baseUrl: "ftp://odoo.test" }, /http\(s\)/],
  ];
  for (const [over, message] of cases) {
    assert.throws(() => createOdooClient({ ...base, ...over }), (e: Error) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, message);
      assert.ok(!e.message.includes(KEY));
      return true;
    });
  }
});

Deno.test("parseOdooDatetime / formatOdooDatetime", () => {
  const parse: [string | false, string | null][] = [
    ["2024-03-01 09:30:05", "2024-03-01T09:30:05.000Z"],
    ["2024-02-29 23:59:59", "2024-02-29T23:59:59.000Z"],
    ["2024-03-01 09:30:05.250000", "2024-03-01T09:30:05.250Z"],
    [false, null],
  ];
  for (const [input, iso] of parse) {
    assert.equal(parseOdooDatetime(input)?.toISOString() ?? null, iso);
  }
  for (
    const bad of [
      "2024-03-01T09:30:05Z",
      "2024-02-30 00:00:00",
      "2024-03-01",
      "",
      "2024-13-01 00:00:00",
    ]
  ) {
    assert.throws(() => parseOdooDatetime(bad), RangeError, bad);
  }
  assert.equal(formatOdooDatetime(new Date("2024-03-01T09:30:05.999Z")), "2024-03-01 09:30:05");
  assert.equal(
    formatOdooDatetime(new Date(Date.UTC(1999, 11, 31, 23, 0, 7))),
    "1999-12-31 23:00:07",
  );
  assert.throws(() => formatOdooDatetime(new Date(NaN)), RangeError);
  const s = "2031-07-04 01:02:03";
  assert.equal(formatOdooDatetime(parseOdooDatetime(s)!), s);
});

Deno.test("many2one / odooValue", () => {
  assert.deepEqual(many2one([3, "Qualified"]), { id: 3, name: "Qualified" });
  assert.deepEqual(many2one([3, false]), { id: 3, name: "" });
  assert.equal(many2one(false), null);
  for (const bad of [3, "x", [3], ["3", "x"], [3, "x", 1], {}]) {
    assert.throws(() => many2one(bad), TypeError);
  }
  assert.equal(odooValue<string>("a@b.c"), "a@b.c");
  assert.equal(odooValue<string>(false), null);
  assert.equal(odooValue(0), 0);
  assert.equal(odooValue(""), "");
});
