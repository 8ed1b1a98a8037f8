import assert from "node:assert/strict";
import { freePort } from "./cluster.ts";
import { deleteExpired, deliverQueued, startNetWorker } from "./pg_net_worker.ts";
import { connect, type Sql, testDatabaseUrl } from "../../tests/support/db.ts";

interface Seen {
  method: string;
  path: string;
  search: string;
  auth: string | null;
  contentType: string | null;
  body: string;
}

/** A local HTTP server: /ok answers 201 JSON, /slow waits until released. */
function startServer() {
  const seen: Seen[] = [];
  let release = () => {};
  const released = new Promise<void>((r) => (release = r));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    seen.push({
      method: req.method,
      path: url.pathname,
      search: url.search,
      auth: req.headers.get("authorization"),
      contentType: req.headers.get("content-type"),
      body: await req.text(),
    });
    if (url.pathname === "/slow") {
      await released;
      return new Response("late");
    }
    return Response.json({ hello: "world" }, { status: 201, headers: { "x-test": "yes" } });
  });
  return { server, seen, base: `http://127.0.0.1:${server.addr.port}`, release };
}

async function queue(sql: Sql, url: string, timeoutMs: number): Promise<string> {
  const [row] = await sql`
    select net.http_post(
      url := ${url},
      body := '{"mode":"incremental"}'::jsonb,
      headers := jsonb_build_object('Content-Type', 'application/json',
        'Authorization', 'Bearer local-test-token'),
      timeout_milliseconds := ${timeoutMs}
    )::text as id`;
  return row.id;
}

async function response(sql: Sql, id: string) {
  const [row] = await sql`select * from net._http_response where id = ${id}::bigint`;
  return row;
}

Deno.test("deliverQueued sends queued requests and records status, content and timeouts", async () => {
  const sql = connect(await testDatabaseUrl());
  const { server, seen, base, release } = startServer();
  try {
    const ok = await queue(sql, `${base}/ok`, 5000);
    const slow = await queue(sql, `${base}/slow`, 300);
    const refused = await queue(sql, `http://127.0.0.1:${freePort()}/nothing`, 5000);
    const [{ get }] = await sql`
      select net.http_get(${base + "/ok"}, '{"q": "a b&c"}'::jsonb)::text as get`;

    const claimed = await deliverQueued(sql);
    assert.ok(claimed >= 4, `claimed ${claimed}`);
    const [{ left }] = await sql`
      select count(*)::int as left from net.http_request_queue
      where id = any(${[ok, slow, refused, get]}::bigint[])`;
    assert.equal(left, 0);

    const okRow = await response(sql, ok);
    assert.equal(okRow.status_code, 201);
    assert.equal(okRow.content, '{"hello":"world"}');
    assert.equal(okRow.content_type, "application/json");
    assert.equal(okRow.headers["x-test"], "yes");
    assert.equal(okRow.timed_out, false);
    assert.equal(okRow.error_msg, null);
    const okSeen = seen.find((s) => s.path === "/ok" && s.method === "POST");
    assert.deepEqual(okSeen && JSON.parse(okSeen.body), { mode: "incremental" });
    assert.equal(okSeen?.auth, "Bearer local-test-token");
    assert.equal(okSeen?.contentType, "application/json");

    const slowRow = await response(sql, slow);
    assert.equal(slowRow.timed_out, true);
    assert.equal(slowRow.status_code, null);
    assert.match(slowRow.error_msg, /Timeout of 300 ms/);

    const refusedRow = await response(sql, refused);
    assert.equal(refusedRow.timed_out, false);
    assert.equal(refusedRow.status_code, null);
    assert.ok(refusedRow.error_msg);

    assert.equal((await response(sql, get)).status_code, 201);
    assert.equal(seen.find((s) => s.method === "GET")?.search, "?q=a%20b%26c");
  } finally {
    release();
    await server.shutdown();
    await sql.end();
  }
});

Deno.test("startNetWorker polls the queue until stopped", async () => {
  const url = await testDatabaseUrl();
  const sql = connect(url);
  const { server, base, release } = startServer();
  const worker = startNetWorker(url, { intervalMs: 50 });
  try {
    const id = await queue(sql, `${base}/ok`, 5000);
    const deadline = Date.now() + 5000;
    let row = await response(sql, id);
    while (!row && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      row = await response(sql, id);
    }
    assert.equal(row?.status_code, 201);
  } finally {
    await worker.stop();
    release();
    await server.shutdown();
    await sql.end();
  }
});

Deno.test("deleteExpired drops responses older than the TTL, oldest first, a batch at a time", async () => {
  const sql = connect(await testDatabaseUrl());
  try {
    const now = new Date();
    const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
    await sql`delete from net._http_response where id <= -100`;
    for (const [id, minutes] of [[-100, 50], [-101, 40], [-102, 30], [-103, 5]]) {
      await sql`insert into net._http_response (id, status_code, created)
        values (${id}, 200, ${at(minutes)})`;
    }
    const left = async () =>
      (await sql`select id::int from net._http_response where id <= -100 order by id desc`)
        .map((r) => r.id);
    // pg_net's defaults: 6 hours, so nothing here is old enough.
    await deleteExpired(sql, { now: () => now });
    assert.deepEqual(await left(), [-100, -101, -102, -103]);
    assert.equal(await deleteExpired(sql, { now: () => now, ttlMs: 10 * 60_000, batchSize: 2 }), 2);
    assert.deepEqual(await left(), [-102, -103], "the two oldest go first");
    await deleteExpired(sql, { now: () => now, ttlMs: 10 * 60_000 });
    assert.deepEqual(await left(), [-103]);
  } finally {
    await sql`delete from net._http_response where id <= -100`;
    await sql.end();
  }
});

Deno.test("deliverQueued stores an empty response body as NULL, as pg_net does", async () => {
  const sql = connect(await testDatabaseUrl());
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(null, { status: 204 }),
  );
  try {
    const id = await queue(sql, `http://127.0.0.1:${server.addr.port}/empty`, 5000);
    while (await deliverQueued(sql) > 0) { /* drain */ }
    const row = await response(sql, id);
    assert.equal(row.status_code, 204);
    assert.equal(row.content, null);
  } finally {
    await server.shutdown();
    await sql.end();
  }
});

Deno.test("a batch is sent concurrently, 200 requests by default, answers visible together", async () => {
  const sql = connect(await testDatabaseUrl());
  const { server, seen, base, release } = startServer();
  try {
    await sql`delete from net.http_request_queue`;
    const slow = await Promise.all([1, 2, 3].map(() => queue(sql, `${base}/slow`, 5000)));
    const delivering = deliverQueued(sql);
    // All three reach the server while none has been answered: one batch, in flight at once.
    const deadline = Date.now() + 5000;
    while (seen.filter((s) => s.path === "/slow").length < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(seen.filter((s) => s.path === "/slow").length, 3);
    const [{ early }] = await sql`select count(*)::int as early from net._http_response
      where id = any(${slow}::bigint[])`;
    assert.equal(early, 0);
    release();
    assert.equal(await delivering, 3);
    const [{ late }] = await sql`select count(*)::int as late from net._http_response
      where id = any(${slow}::bigint[])`;
    assert.equal(late, 3);

    for (let i = 0; i < 201; i++) await queue(sql, `${base}/ok`, 5000);
    assert.deepEqual([await deliverQueued(sql), await deliverQueued(sql)], [200, 1]);
  } finally {
    release();
    await server.shutdown();
    await sql.end();
  }
});
