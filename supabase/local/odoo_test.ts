import assert from "node:assert/strict";
import {
  makeLeads,
  makeMessages,
  type OdooRecord,
  type OdooServerOptions,
  type OdooTestServer,
  startOdooServer,
} from "./odoo.ts";

const KEY = "k-1234567890";
const USERS = [{ login: "sync@acme.test", apiKey: KEY, uid: 7 }];

/** Sends one raw JSON-RPC call and returns the parsed envelope. */
async function rpc(odoo: OdooTestServer, service: string, method: string, args: unknown[]) {
  const res = await fetch(`${odoo.url}/jsonrpc`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      method: "call",
      params: { service, method, args },
      id: 41,
    }),
  });
  assert.equal(res.status, 200);
  return await res.json();
}

const searchRead = (odoo: OdooTestServer, model: string, kwargs: Record<string, unknown>) =>
  rpc(odoo, "object", "execute_kw", ["acme", 7, KEY, model, "search_read", [], kwargs]);

async function withServer(
  options: Partial<OdooServerOptions>,
  fn: (odoo: OdooTestServer) => Promise<void>,
) {
  const odoo = startOdooServer({ db: "acme", users: USERS, ...options });
  try {
    await fn(odoo);
  } finally {
    await odoo.close();
  }
}

function lead(id: number, over: Partial<OdooRecord> = {}): OdooRecord {
  return {
    id,
    name: `Lead ${id}`,
    partner_name: false,
    email_from: `l${id}@x.test`,
    stage_id: [1, "New"],
    user_id: false,
    probability: 10,
    expected_revenue: 0,
    active: true,
    create_date: "2024-01-01 00:00:00",
    write_date: "2024-01-01 00:00:00",
    ...over,
  };
}

const LEADS = [
  lead(1, { write_date: "2024-01-01 10:00:00", stage_id: [1, "New"], user_id: [2, "Admin"] }),
  lead(2, { write_date: "2024-01-01 10:00:00", stage_id: [2, "Qualified"], email_from: false }),
  lead(3, { write_date: "2024-01-01 10:00:01", stage_id: [2, "Qualified"], user_id: [6, "Marc"] }),
  lead(4, { write_date: "2024-01-02 09:00:00", stage_id: false, partner_name: "Café Lumière" }),
  lead(5, { write_date: "2023-12-31 23:59:59", stage_id: [4, "Won"], user_id: [2, "Admin"] }),
  lead(6, { write_date: "2024-01-03 00:00:00", active: false }),
];

Deno.test("common: version, authenticate ok / false, unknown database", async () => {
  await withServer({}, async (odoo) => {
    assert.equal((await rpc(odoo, "common", "version", [])).result.protocol_version, 1);
    const cases: [unknown[], unknown][] = [
      [["acme", "sync@acme.test", KEY, {}], 7],
      [["acme", "sync@acme.test", "wrong", {}], false],
      [["acme", "nobody", KEY, {}], false],
    ];
    for (const [args, expected] of cases) {
      const env = await rpc(odoo, "common", "authenticate", args);
      assert.deepEqual(env, { jsonrpc: "2.0", id: 41, result: expected }, JSON.stringify(args));
    }
    const env = await rpc(odoo, "common", "authenticate", ["other", "sync@acme.test", KEY, {}]);
    assert.equal(env.error.data.name, "psycopg2.OperationalError");
  });
});

Deno.test("execute_kw with a wrong key or uid answers Odoo's AccessDenied envelope", async () => {
  await withServer({ records: { "crm.lead": LEADS } }, async (odoo) => {
    for (const [uid, key] of [[7, "wrong"], [8, KEY]] as const) {
      const env = await rpc(odoo, "object", "execute_kw", [
        "acme",
        uid,
        key,
        "crm.lead",
        "search_read",
        [[]],
        {},
      ]);
      assert.equal(env.result, undefined);
      assert.equal(env.id, 41);
      assert.equal(env.error.code, 0);
      assert.equal(env.error.message, "Odoo Server Error");
      assert.equal(env.error.data.name, "odoo.exceptions.AccessDenied");
      assert.equal(env.error.data.message, "Access Denied");
      assert.deepEqual(env.error.data.arguments, ["Access Denied"]);
      assert.deepEqual(env.error.data.context, {});
      assert.match(env.error.data.debug, /^Traceback/);
    }
  });
});

const DOMAIN_CASES: [string, unknown[], number[]][] = [
  ["empty domain hides archived", [], [1, 2, 3, 4, 5]],
  ["= on many2one compares the id", [["stage_id", "=", 2]], [2, 3]],
  ["= false matches empty", [["stage_id", "=", false]], [4]],
  ["!= false", [["user_id", "!=", false]], [1, 3, 5]],
  ["!= value includes empty", [["user_id", "!=", 2]], [2, 3, 4]],
  [">", [["write_date", ">", "2024-01-01 10:00:00"]], [3, 4]],
  [">=", [["write_date", ">=", "2024-01-01 10:00:00"]], [1, 2, 3, 4]],
  ["<", [["write_date", "<", "2024-01-01 10:00:00"]], [5]],
  ["<=", [["write_date", "<=", "2024-01-01 10:00:00"]], [1, 2, 5]],
  ["in", [["id", "in", [2, 4, 6, 99]]], [2, 4]],
  ["not in", [["id", "not in", [2, 4]]], [1, 3, 5]],
  ["in with false", [["stage_id", "in", [4, false]]], [4, 5]],
  ["not in keeps empty", [["stage_id", "not in", [1, 2]]], [4, 5]],
  ["|", ["|", ["id", "=", 1], ["id", "=", 5]], [1, 5]],
  ["!", ["!", ["id", "in", [1, 2]]], [3, 4, 5]],
  ["explicit &", ["&", ["stage_id", "=", 2], ["user_id", "=", false]], [2]],
  ["implicit &", [["stage_id", "=", 2], ["user_id", "=", false]], [2]],
  ["| then implicit &", ["|", ["id", "=", 1], ["id", "=", 3], ["user_id", "=", 6]], [3]],
  ["nested", ["|", "&", ["id", ">", 1], ["id", "<", 4], "!", ["stage_id", "!=", 4]], [2, 3, 5]],
  [
    "keyset cursor",
    ["|", ["write_date", ">", "2024-01-01 10:00:00"], "&", [
      "write_date",
      "=",
      "2024-01-01 10:00:00",
    ], [
      "id",
      ">",
      1,
    ]],
    [2, 3, 4],
  ],
  ["ilike", [["partner_name", "ilike", "lumi"]], [4]],
  ["not ilike keeps empty", [["partner_name", "not ilike", "LUMI"]], [1, 2, 3, 5]],
  ["like is case-sensitive", [["partner_name", "like", "lumi"]], []],
  ["active mentioned", [["active", "=", false]], [6]],
  ["active in both", [["active", "in", [true, false]]], [1, 2, 3, 4, 5, 6]],
  ["true leaf", [[1, "=", 1]], [1, 2, 3, 4, 5]],
];

Deno.test("search_read evaluates domains like Odoo", async () => {
  await withServer({ records: { "crm.lead": LEADS } }, async (odoo) => {
    for (const [name, domain, ids] of DOMAIN_CASES) {
      const env = await searchRead(odoo, "crm.lead", { domain, fields: ["id"], order: "id asc" });
      assert.deepEqual(env.result?.map((r: OdooRecord) => r.id), ids, name);
    }
    const noActiveTest = await searchRead(odoo, "crm.lead", {
      fields: ["id"],
      order: "id asc",
      context: { active_test: false },
    });
    assert.equal(noActiveTest.result.length, 6);
  });
});

const ERROR_CASES: [string, Record<string, unknown>, string, RegExp][] = [
  [
    "unknown field in leaf",
    { domain: [["nope", "=", 1]] },
    "builtins.ValueError",
    /Invalid field crm\.lead\.nope in leaf \('nope', '=', 1\)/,
  ],
  ["bad operator", { domain: [["id", "~", 1]] }, "builtins.ValueError", /Invalid leaf/],
  ["leaf of two", { domain: [["id", "="]] }, "builtins.ValueError", /Invalid leaf/],
  [
    "dangling |",
    { domain: ["|", ["id", "=", 1]] },
    "builtins.ValueError",
    /syntactically not correct/,
  ],
  [
    "unknown field in fields",
    { fields: ["name", "nope"] },
    "builtins.ValueError",
    /Invalid field 'nope' on model 'crm\.lead'/,
  ],
  ["unknown field in order", { order: "nope asc" }, "builtins.ValueError", /Invalid field 'nope'/],
  ["bad order syntax", { order: "id upward" }, "builtins.ValueError", /Invalid "order" specified/],
  ["unexpected kwarg", { nope: 1 }, "builtins.TypeError", /unexpected keyword argument 'nope'/],
  ["negative limit", { limit: -1 }, "builtins.ValueError", /Invalid limit/],
];

Deno.test("search_read errors use Odoo's exception names", async () => {
  await withServer({ records: { "crm.lead": LEADS } }, async (odoo) => {
    for (const [name, kwargs, exception, message] of ERROR_CASES) {
      const env = await searchRead(odoo, "crm.lead", kwargs);
      assert.equal(env.error?.code, 0, name);
      assert.equal(env.error.data.name, exception, name);
      assert.match(env.error.data.message, message, name);
    }
    const model = await searchRead(odoo, "res.partner", {});
    assert.equal(model.error.data.name, "odoo.exceptions.UserError");
    assert.equal(model.error.data.message, "Object res.partner doesn't exist");
    const method = await rpc(odoo, "object", "execute_kw", ["acme", 7, KEY, "crm.lead", "unlink", [[
      1,
    ]]]);
    assert.equal(method.error.data.name, "builtins.AttributeError");
  });
});

const ORDER_CASES: [string, string | undefined, number[]][] = [
  ["default is id desc", undefined, [5, 4, 3, 2, 1]],
  ["write_date asc, id asc", "write_date asc, id asc", [5, 1, 2, 3, 4]],
  ["write_date asc, id desc", "write_date asc, id desc", [5, 2, 1, 3, 4]],
  ["write_date DESC, id", "write_date DESC, id", [4, 3, 1, 2, 5]],
  ["many2one by id, nulls last on asc", "stage_id asc, id asc", [1, 2, 3, 5, 4]],
  ["nulls first on desc", "user_id desc, id asc", [2, 4, 3, 1, 5]],
  ["explicit nulls first", "stage_id asc nulls first, id desc", [4, 1, 3, 2, 5]],
];

Deno.test("search_read orders by several keys, asc/desc, with PostgreSQL null placement", async () => {
  await withServer({ records: { "crm.lead": LEADS } }, async (odoo) => {
    for (const [name, order, ids] of ORDER_CASES) {
      const env = await searchRead(odoo, "crm.lead", {
        fields: ["id"],
        ...(order ? { order } : {}),
      });
      assert.deepEqual(env.result.map((r: OdooRecord) => r.id), ids, name);
    }
  });
});

Deno.test("search_read projects fields (id always) and pages with limit/offset", async () => {
  await withServer({ records: { "crm.lead": LEADS } }, async (odoo) => {
    const one = await searchRead(odoo, "crm.lead", {
      domain: [["id", "=", 3]],
      fields: ["stage_id", "name"],
    });
    assert.deepEqual(one.result, [{ id: 3, stage_id: [2, "Qualified"], name: "Lead 3" }]);
    const all = await searchRead(odoo, "crm.lead", { domain: [["id", "=", 4]], fields: [] });
    assert.deepEqual(Object.keys(all.result[0]).sort(), Object.keys(LEADS[3]).sort());
    assert.equal(all.result[0].partner_name, "Café Lumière");
    const pages: number[][] = [];
    for (let offset = 0; offset < 6; offset += 2) {
      const env = await searchRead(odoo, "crm.lead", {
        fields: ["id"],
        order: "id asc",
        limit: 2,
        offset,
      });
      pages.push(env.result.map((r: OdooRecord) => r.id));
    }
    assert.deepEqual(pages, [[1, 2], [3, 4], [5]]);
    const unlimited = await searchRead(odoo, "crm.lead", { fields: ["id"], limit: 0 });
    assert.equal(unlimited.result.length, 5);
    const positional = await rpc(odoo, "object", "execute_kw", [
      "acme",
      7,
      KEY,
      "crm.lead",
      "search_read",
      [[["id", ">", 3]], ["name"], 0, 1, "id asc"],
    ]);
    assert.deepEqual(positional.result, [{ id: 4, name: "Lead 4" }]);
    const count = await rpc(odoo, "object", "execute_kw", [
      "acme",
      7,
      KEY,
      "crm.lead",
      "search_count",
      [[["stage_id", "=", 2]]],
    ]);
    assert.equal(count.result, 2);
  });
});

Deno.test("upsertRecord stamps write_date (microseconds kept), assigns ids and moves updated rows to the heap end", async () => {
  let clock = new Date("2024-05-01T12:00:00.900Z");
  await withServer(
    { records: { "crm.lead": LEADS.slice(0, 3) }, now: () => clock },
    async (odoo) => {
      const created = odoo.upsertRecord("crm.lead", { name: "New one", active: true });
      assert.equal(created.id, 4);
      assert.equal(created.write_date, "2024-05-01 12:00:00.900000");
      assert.equal(created.create_date, "2024-05-01 12:00:00.900000");
      assert.equal(created.stage_id, false);
      clock = new Date("2024-05-01T12:00:00Z");
      const updated = odoo.upsertRecord("crm.lead", { id: 1, name: "Renamed" });
      assert.equal(updated.write_date, "2024-05-01 12:00:00.000000");
      assert.equal(updated.create_date, "2024-01-01 00:00:00");
      assert.equal(updated.email_from, "l1@x.test");
      assert.deepEqual(odoo.records("crm.lead").map((r) => r.id), [1, 2, 3, 4]);
      const env = await searchRead(odoo, "crm.lead", { fields: ["id"], order: "write_date desc" });
      // SQL orders by the microsecond value: lead 4 (…00.900000) is the newest.
      assert.deepEqual(env.result.map((r: OdooRecord) => r.id), [4, 1, 3, 2]);
      const read = await searchRead(odoo, "crm.lead", {
        fields: ["write_date"],
        limit: 1,
        order: "write_date desc",
      });
      assert.equal(read.result[0].write_date, "2024-05-01 12:00:00", "read sends whole seconds");
      assert.throws(() => odoo.upsertRecord("crm.lead", { nmae: "typo" }), /no field nmae/);
    },
  );
});

Deno.test("calls() records each call; execute_kw by ORM method, model, args and kwargs", async () => {
  await withServer({}, async (odoo) => {
    await rpc(odoo, "common", "authenticate", ["acme", "sync@acme.test", KEY, {}]);
    await searchRead(odoo, "mail.message", { fields: ["body"], limit: 3 });
    assert.deepEqual(odoo.calls(), [
      {
        service: "common",
        method: "authenticate",
        args: ["acme", "sync@acme.test", KEY, {}],
        kwargs: {},
      },
      {
        service: "object",
        method: "search_read",
        model: "mail.message",
        args: [],
        kwargs: { fields: ["body"], limit: 3 },
      },
    ]);
  });
});

Deno.test("failures: http500 and accessDenied for `times` calls, model filter", async () => {
  await withServer({ records: { "crm.lead": LEADS } }, async (odoo) => {
    odoo.setFailure({ kind: "http500", times: 2 });
    for (const expected of [500, 500, 200]) {
      const res = await fetch(`${odoo.url}/jsonrpc`, {
        method: "POST",
        body: JSON.stringify({
          jsonrpc: "2.0",
          method: "call",
          params: { service: "common", method: "version", args: [] },
          id: 1,
        }),
      });
      await res.body?.cancel();
      assert.equal(res.status, expected);
    }
    odoo.setFailure({ kind: "accessDenied", model: "mail.message" });
    assert.equal(
      (await rpc(odoo, "common", "authenticate", ["acme", "sync@acme.test", KEY, {}])).result,
      7,
    );
    assert.equal((await searchRead(odoo, "crm.lead", { fields: ["id"] })).result.length, 5);
    const denied = await searchRead(odoo, "mail.message", { fields: ["id"] });
    assert.equal(denied.error.data.name, "odoo.exceptions.AccessDenied");
    odoo.setFailure(null);
    assert.deepEqual((await searchRead(odoo, "mail.message", { fields: ["id"] })).result, []);
  });
});

Deno.test("failures: drop breaks the answer; slow delays it and yields to an aborting client", async () => {
  await withServer({}, async (odoo) => {
    odoo.setFailure({ kind: "drop", times: 1 });
    const res = await fetch(`${odoo.url}/jsonrpc`, {
      method: "POST",
      body: JSON.stringify({
        jsonrpc: "2.0",
        method: "call",
        params: { service: "common", method: "version", args: [] },
        id: 1,
      }),
    });
    await assert.rejects(res.text(), TypeError);
    odoo.setFailure({ kind: "slow", delayMs: 150, times: 1 });
    let t0 = performance.now();
    assert.equal((await rpc(odoo, "common", "version", [])).result.server_serie, "17.0");
    assert.ok(performance.now() - t0 >= 140, "slow answer came too early");
    odoo.setFailure({ kind: "slow", delayMs: 60_000 });
    t0 = performance.now();
    await assert.rejects(
      fetch(`${odoo.url}/jsonrpc`, { method: "POST", body: "{}", signal: AbortSignal.timeout(50) }),
      (e: Error) => e.name === "TimeoutError",
    );
  });
  // close() above must not wait for the 60 s delay.
});

Deno.test("only POST /jsonrpc is served", async () => {
  await withServer({}, async (odoo) => {
    const notFound = await fetch(`${odoo.url}/xmlrpc/2/common`, { method: "POST", body: "{}" });
    await notFound.body?.cancel();
    assert.equal(notFound.status, 404);
    const get = await fetch(`${odoo.url}/jsonrpc`);
    await get.body?.cancel();
    assert.equal(get.status, 405);
  });
});

Deno.test("makeLeads / makeMessages produce Odoo-shaped records with repeated write_dates", () => {
  const leads = makeLeads(10, {
    start: new Date("2024-01-01T00:00:00Z"),
    stepSeconds: 30,
    sameTimestampEvery: 4,
  });
  assert.deepEqual(leads.map((l) => l.id), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual([...new Set(leads.map((l) => l.write_date))], [
    "2024-01-01 00:00:00",
    "2024-01-01 00:00:30",
    "2024-01-01 00:01:00",
  ]);
  assert.equal(leads.filter((l) => l.write_date === "2024-01-01 00:00:30").length, 4);
  for (const l of leads) {
    assert.ok(Array.isArray(l.stage_id) && typeof l.stage_id[1] === "string");
    assert.ok(l.user_id === false || Array.isArray(l.user_id));
    assert.ok(String(l.create_date) <= String(l.write_date));
  }
  assert.ok(leads.some((l) => l.email_from === false) && leads.some((l) => l.user_id === false));
  const messages = makeMessages(leads, 3);
  assert.equal(messages.length, 30);
  assert.deepEqual(messages.slice(0, 3).map((m) => [m.id, m.res_id, m.model]), [
    [1, 1, "crm.lead"],
    [2, 1, "crm.lead"],
    [3, 1, "crm.lead"],
  ]);
  assert.deepEqual(
    new Set(messages.map((m) => m.message_type)),
    new Set(["comment", "notification"]),
  );
  assert.match(String(messages[0].body), /^<p>.*<\/p>$/);
  assert.match(String(messages[0].write_date), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
});

Deno.test("the server accepts generated records as-is", async () => {
  const leads = makeLeads(50, { start: new Date("2024-01-01T00:00:00Z") });
  await withServer(
    { records: { "crm.lead": leads, "mail.message": makeMessages(leads, 2) } },
    async (odoo) => {
      const env = await searchRead(odoo, "mail.message", {
        domain: [["res_id", "=", 10]],
        fields: ["res_id"],
        order: "id asc",
      });
      assert.deepEqual(env.result, [{ id: 19, res_id: 10 }, { id: 20, res_id: 10 }]);
      assert.deepEqual(odoo.records("crm.lead")[0], leads[0]);
    },
  );
});

Deno.test("record rules: mail.message is filtered after the LIMIT on 17, 18 and 19; crm.lead before it from 18", async () => {
  const leads = [1, 2, 3, 4, 5, 6].map((id) => lead(id));
  const messages = makeMessages(leads, 1);
  const canRead = (_model: string, rec: OdooRecord) => (rec.id as number) > 3;
  const cases: [17 | 18 | 19 | 20, string, number[]][] = [
    [17, "mail.message", []],
    [18, "mail.message", []],
    [19, "mail.message", []],
    [20, "mail.message", [4, 5, 6]],
    [17, "crm.lead", []],
    [18, "crm.lead", [4, 5, 6]],
  ];
  for (const [version, model, expected] of cases) {
    await withServer(
      {
        version,
        canRead,
        deprecatedRpc: true,
        records: { "crm.lead": leads, "mail.message": messages },
      },
      async (odoo) => {
        const env = await searchRead(odoo, model, { fields: ["id"], order: "id asc", limit: 3 });
        assert.deepEqual(
          env.result.map((r: OdooRecord) => r.id),
          expected,
          `${model} on ${version}`,
        );
      },
    );
  }
});

Deno.test("sqlUpdate changes values without write_date; rename changes every many2one's name", async () => {
  const leads = [lead(1, { stage_id: [5, "Won"], user_id: [2, "Ann"] }), lead(2)];
  await withServer({ records: { "crm.lead": leads } }, async (odoo) => {
    odoo.sqlUpdate("crm.lead", [1], { probability: 73 });
    odoo.rename("crm.stage", 5, "Closed won");
    odoo.rename("res.users", 2, "Ann Smith");
    const env = await searchRead(odoo, "crm.lead", {
      fields: ["probability", "stage_id", "user_id", "write_date"],
      order: "id asc",
    });
    assert.deepEqual(env.result, [
      {
        id: 1,
        probability: 73,
        stage_id: [5, "Closed won"],
        user_id: [2, "Ann Smith"],
        write_date: "2024-01-01 00:00:00",
      },
      {
        id: 2,
        probability: 10,
        stage_id: [1, "New"],
        user_id: false,
        write_date: "2024-01-01 00:00:00",
      },
    ]);
  });
});
