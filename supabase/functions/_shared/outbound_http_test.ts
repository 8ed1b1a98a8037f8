/**
 * The outbound rules against real sockets on 127.0.0.1 (under the development
 * allowance, which the local fakes need): a redirect to another origin is
 * never followed, so the Odoo API key in a `/jsonrpc` body never reaches it;
 * an answer over the byte limit is cut at the limit, the connection dropped,
 * and the server never gets to send the rest (flat memory).
 */
import assert from "node:assert/strict";
import { createOdooClient, OdooAnswerTooLargeError, OdooDestinationError } from "./odoo-client.ts";
import { fetchWithTimeout, outboundPolicy } from "./outbound.ts";
import { captureLogs } from "../../../tests/support/guard_harness.ts";

const KEY = "odoo-key-redirect-3f9a1c";
const DEV = outboundPolicy({ allowPrivate: true });

/** A server on 127.0.0.1 that records what it got and answers with `answer`. */
function server(answer: (req: Request) => Response | Promise<Response>) {
  const bodies: string[] = [];
  const s = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    bodies.push(
      `${req.method} ${new URL(req.url).pathname} ${
        req.headers.get("authorization") ?? ""
      } ${await req.text()}`,
    );
    return answer(req);
  });
  return { url: `http://127.0.0.1:${s.addr.port}`, bodies, close: () => s.shutdown() };
}

Deno.test("a 307 from Odoo to another origin is refused: the API key never reaches it", async (t) => {
  const elsewhere = server(() => Response.json({ jsonrpc: "2.0", id: 1, result: 2 }));
  for (const status of [301, 302, 303, 307, 308]) {
    await t.step(`HTTP ${status}`, async () => {
      const odoo = server(() =>
        new Response(null, { status, headers: { location: `${elsewhere.url}/jsonrpc` } })
      );
      const { logger, events } = captureLogs();
      try {
        const client = createOdooClient(
          { baseUrl: odoo.url, db: "acme", login: "sync@acme.test", apiKey: KEY },
          { api: "jsonrpc", policy: DEV, retries: 2, sleep: () => Promise.resolve(), logger },
        );
        const err = await client.authenticate().catch((e) => e);
        assert.ok(err instanceof OdooDestinationError, String(err));
        assert.equal(err.code, "odoo_destination_refused");
        assert.equal(odoo.bodies.length, 1, "not retried");
        assert.ok(odoo.bodies[0].includes(KEY), "the key went only to the configured server");
        const refused = events().find((e) => e.event === "odoo_destination_refused");
        assert.equal(refused?.reason, "redirect");
        assert.equal(refused?.http_status, status);
      } finally {
        await odoo.close();
      }
    });
  }
  await t.step("JSON-2 (bearer key in a header)", async () => {
    const odoo = server(() =>
      new Response(null, { status: 307, headers: { location: `${elsewhere.url}/x` } })
    );
    try {
      const client = createOdooClient(
        { baseUrl: odoo.url, db: "acme", login: "sync@acme.test", apiKey: KEY },
        { api: "json2", policy: DEV, retries: 0, logger: captureLogs().logger },
      );
      const err = await client.searchIds("crm.lead", [], {}).catch((e) => e);
      assert.ok(err instanceof OdooDestinationError, String(err));
    } finally {
      await odoo.close();
    }
  });
  assert.deepEqual(elsewhere.bodies, [], "the other origin got nothing");
  await elsewhere.close();
});

/** A body of `total` bytes produced only as the client pulls; counts what was produced. */
function lazyBody(total: number) {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const seen = { produced: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (seen.produced >= total) return c.close();
      seen.produced += chunk.byteLength;
      c.enqueue(chunk);
    },
    cancel() {
      seen.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { body, seen };
}

Deno.test("an oversized answer is cut at the limit and the connection dropped, never read whole", async (t) => {
  const TOTAL = 96 * 1024 * 1024;
  const LIMIT = 1024 * 1024;
  let last = lazyBody(0).seen;
  const big = server(() => {
    const { body, seen } = lazyBody(TOTAL);
    last = seen;
    return new Response(body, { headers: { "content-type": "application/json" } });
  });
  try {
    await t.step("fetchWithTimeout", async () => {
      const before = Deno.memoryUsage().rss;
      const r = await fetchWithTimeout(`${big.url}/page`, {
        init: { method: "POST", body: "{}" },
        timeoutMs: 10_000,
        maxBytes: LIMIT,
        policy: DEV,
      });
      assert.equal(!r.ok && r.failure, "answer_too_large");
      assert.ok(!r.ok && !("text" in r), "nothing of the answer is returned");
      // The server could produce only what sat in the socket buffers when we hung up.
      await waitFor(() => last.cancelled);
      assert.ok(last.produced < 16 * 1024 * 1024, `produced ${last.produced} of ${TOTAL} bytes`);
      const grown = Deno.memoryUsage().rss - before;
      assert.ok(grown < 64 * 1024 * 1024, `rss grew by ${grown} bytes`);
    });
    await t.step("the Odoo client: odoo_answer_too_large, not retried", async () => {
      const client = createOdooClient(
        { baseUrl: big.url, db: "acme", login: "sync@acme.test", apiKey: KEY },
        {
          api: "json2",
          policy: DEV,
          retries: 2,
          maxAnswerBytes: LIMIT,
          logger: captureLogs().logger,
        },
      );
      const err = await client.searchRead("crm.lead", [], { fields: ["name"] }).catch((e) => e);
      assert.ok(err instanceof OdooAnswerTooLargeError, String(err));
      assert.equal(err.code, "odoo_answer_too_large");
      assert.equal(err.attempts, 1);
    });
    await t.step("a declared Content-Length over the limit is refused before reading", async () => {
      const declared = server(() =>
        new Response(new Uint8Array(LIMIT + 1), {
          headers: { "content-length": String(LIMIT + 1) },
        })
      );
      try {
        const r = await fetchWithTimeout(declared.url, {
          init: {},
          timeoutMs: 5000,
          maxBytes: LIMIT,
          policy: DEV,
        });
        assert.equal(!r.ok && r.failure, "answer_too_large");
      } finally {
        await declared.close();
      }
    });
  } finally {
    await big.close();
  }
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("the Odoo client's default policy is production: a local Odoo is refused without the allowance", async () => {
  const odoo = server(() => Response.json({ jsonrpc: "2.0", id: 1, result: 2 }));
  try {
    const client = createOdooClient(
      { baseUrl: odoo.url, db: "acme", login: "sync@acme.test", apiKey: KEY },
      { api: "jsonrpc", retries: 0, logger: captureLogs().logger },
    );
    const err = await client.authenticate().catch((e) => e);
    assert.ok(err instanceof OdooDestinationError, String(err));
    assert.deepEqual(odoo.bodies, [], "nothing was sent");
  } finally {
    await odoo.close();
  }
});
