/**
 * The gateway's header limit, over a real socket (raw HTTP/1.1, so nothing
 * between the test and Deno.serve trims or rejects the request first).
 */
import assert from "node:assert/strict";
import { serveFunctions } from "./gateway.ts";
import { DEFAULT_MAX_HEADER_BYTES } from "./_gateway/header_limit.ts";

/** Sends `head` (request line + header lines) and returns the raw response, read until close. */
async function rawRequest(port: number, headerLines: string[]): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const head = ["POST /functions/v1/no-such-function HTTP/1.1", "Host: 127.0.0.1", ...headerLines]
      .join("\r\n");
    const bytes = new TextEncoder().encode(`${head}\r\nConnection: close\r\n\r\n`);
    for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
    let text = "";
    const buf = new Uint8Array(8192);
    for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    return text;
  } finally {
    conn.close();
  }
}

function parse(raw: string): { status: number; contentType: string; body: string } {
  const [head, body] = raw.split("\r\n\r\n", 2);
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]),
    contentType: /^content-type: (.*)$/im.exec(head)?.[1] ?? "",
    body,
  };
}

const fill = (bytes: number) => "a".repeat(bytes);
const CASES: { name: string; lines: string[]; status: number; code: string }[] = [
  { name: "a small header", lines: [`X-Small: ${fill(100)}`], status: 404, code: "NOT_FOUND" },
  {
    name: "one header just under the limit",
    lines: [`X-Big: ${fill(DEFAULT_MAX_HEADER_BYTES - 200)}`],
    status: 404,
    code: "NOT_FOUND",
  },
  {
    name: "one 40 KiB header",
    lines: [`X-Big: ${fill(40 * 1024)}`],
    status: 431,
    code: "REQUEST_HEADER_FIELDS_TOO_LARGE",
  },
  {
    name: "a 40 KiB bearer token",
    lines: [`Authorization: Bearer ${fill(40 * 1024)}`],
    status: 431,
    code: "REQUEST_HEADER_FIELDS_TOO_LARGE",
  },
  {
    name: "one 70 KiB header (over Deno.serve's own 64 KiB limit)",
    lines: [`X-Big: ${fill(70 * 1024)}`],
    status: 431,
    code: "REQUEST_HEADER_FIELDS_TOO_LARGE",
  },
  {
    name: "a 1 MiB cookie",
    lines: [`Cookie: a=${fill(1024 * 1024)}`],
    status: 431,
    code: "REQUEST_HEADER_FIELDS_TOO_LARGE",
  },
  {
    name: "many headers adding up to 60 KiB",
    lines: Array.from({ length: 12 }, (_, i) => `X-Part-${i}: ${fill(5 * 1024)}`),
    status: 431,
    code: "REQUEST_HEADER_FIELDS_TOO_LARGE",
  },
];

Deno.test("gateway: header fields over the limit get 431 with a JSON body", async () => {
  const functionsDir = await Deno.makeTempDir({ prefix: "edge-guard-fns-" });
  const gw = await serveFunctions({
    port: 0,
    functionsDir,
    env: {},
    logger: () => {},
  });
  const port = Number(new URL(gw.url).port);
  try {
    for (const { name, lines, status, code } of CASES) {
      const res = parse(await rawRequest(port, lines));
      assert.equal(res.status, status, name);
      assert.match(res.contentType, /^application\/json/, name);
      assert.equal(JSON.parse(res.body).code, code, name);
    }
  } finally {
    await gw.close();
    await Deno.remove(functionsDir, { recursive: true });
  }
});

/** A raw kept-alive connection: send bytes, read one response (Content-Length framed) or until close. */
async function keptAlive(port: number) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let pending = "";
  const buf = new Uint8Array(64 * 1024);
  const more = async () => {
    const n = await conn.read(buf);
    if (n === null) return false;
    pending += new TextDecoder().decode(buf.subarray(0, n));
    return true;
  };
  return {
    async send(text: string) {
      const bytes = new TextEncoder().encode(text);
      for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
    },
    /** One response; null when the connection closed before a complete one. */
    async response(): Promise<{ status: number; contentType: string; body: string } | null> {
      for (;;) {
        const end = pending.indexOf("\r\n\r\n");
        const length = /^content-length: (\d+)$/im.exec(pending.slice(0, end))?.[1];
        if (end !== -1 && length !== undefined && pending.length >= end + 4 + Number(length)) {
          const raw = pending.slice(0, end + 4 + Number(length));
          pending = pending.slice(raw.length);
          return parse(raw);
        }
        if (!(await more())) return null;
      }
    },
    /** True when the server closed the connection. */
    async closed() {
      return pending === "" && !(await more());
    },
    close: () => conn.close(),
  };
}

const request = (headers: string[], body = "") =>
  ["POST /functions/v1/no-such-function HTTP/1.1", "Host: 127.0.0.1", ...headers].join("\r\n") +
  "\r\n\r\n" + body;

Deno.test("gateway: every request on a kept-alive connection gets the 431 for an oversized head", async (t) => {
  const functionsDir = await Deno.makeTempDir({ prefix: "edge-guard-fns-" });
  const gw = await serveFunctions({ port: 0, functionsDir, env: {}, logger: () => {} });
  const port = Number(new URL(gw.url).port);
  const big = `X-Big: ${fill(100 * 1024)}`;
  const firsts: [string, string][] = [
    ["no body", request([])],
    [
      "a Content-Length body",
      // A body holding CRLF CRLF: only the Content-Length says where the next head starts.
      request(["Content-Length: 12"], `{"a":"\r\n\r\n"}`),
    ],
    [
      "a chunked body",
      request(
        ["Transfer-Encoding: chunked"],
        "5\r\nhello\r\n6;x=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n",
      ),
    ],
  ];
  try {
    for (const [name, first] of firsts) {
      await t.step(`after a request with ${name}`, async () => {
        const c = await keptAlive(port);
        try {
          await c.send(first);
          assert.equal((await c.response())?.status, 404, "the first request is served");
          await c.send(request([`X-Small: ${fill(100)}`]));
          assert.equal((await c.response())?.status, 404, "so is a second normal one");
          await c.send(request([big]));
          const res = await c.response();
          assert.equal(res?.status, 431, "not Deno.serve's empty 400");
          assert.match(res!.contentType, /^application\/json/);
          assert.equal(JSON.parse(res!.body).code, "REQUEST_HEADER_FIELDS_TOO_LARGE");
          assert.equal(await c.closed(), true, "and the connection is closed");
        } finally {
          c.close();
        }
      });
    }
  } finally {
    await gw.close();
    await Deno.remove(functionsDir, { recursive: true });
  }
});
