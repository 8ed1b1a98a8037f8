/**
 * The guard's body read on a real socket (`Deno.serve` on 127.0.0.1 with
 * `withAuth`), driven by a raw TCP client so that chunked, stalled and broken
 * uploads are exactly what a misbehaving client sends. Each row gets an answer
 * within its deadline; before issue 11 the large and stalled rows got none
 * (`reader.cancel()` on a `req.clone()` branch waited for the other branch) and
 * the broken row made `verifyRequest` throw (500).
 */
import assert from "node:assert/strict";
import { loadAuthConfig, withAuth } from "../supabase/functions/_shared/auth-guard.ts";
import { captureLogs, ORG_A, ORG_B } from "./support/guard_harness.ts";
import { mintAdminToken, TEST_SECRET_KEY, testAuthEnv } from "./support/tokens.ts";

const config = loadAuthConfig(testAuthEnv());
const admin = await mintAdminToken(ORG_A);
const MIB = 1024 * 1024;
const BODY_TIMEOUT_MS = 300;

/** How the client sends its body after the headers. */
type Upload =
  | { kind: "chunked"; bytes: number }
  | { kind: "stalled" }
  | { kind: "broken" };

interface SocketCase {
  name: string;
  bearer: string;
  query?: string;
  upload: Upload;
  status: number;
  /** Expected JSON body (exact). */
  body: unknown;
  /** Expected rejection_reason or body_not_scoped reason in the log. */
  reason: string;
}

const refused = { error: "org_scope_violation" };
const CASES: SocketCase[] = [
  {
    name: "control: 0.5 MiB chunked JSON-ish upload from an admin",
    bearer: admin,
    upload: { kind: "chunked", bytes: MIB / 2 },
    status: 200,
    body: { org: ORG_A, body: "other" },
    reason: "",
  },
  {
    name: "admin, 2 MiB chunked upload",
    bearer: admin,
    upload: { kind: "chunked", bytes: 2 * MIB },
    status: 403,
    body: refused,
    reason: "body_too_large",
  },
  {
    name: "admin, 50 MB chunked upload",
    bearer: admin,
    upload: { kind: "chunked", bytes: 50_000_000 },
    status: 403,
    body: refused,
    reason: "body_too_large",
  },
  {
    name: "service key, 2 MiB chunked upload: the query's org",
    bearer: TEST_SECRET_KEY,
    query: `?org_id=${ORG_B}`,
    upload: { kind: "chunked", bytes: 2 * MIB },
    status: 200,
    body: { org: ORG_B, body: "unread" },
    reason: "body_too_large",
  },
  {
    name: "service key, 50 MB chunked upload: the query's org",
    bearer: TEST_SECRET_KEY,
    query: `?org%5Fid=${ORG_B}`,
    upload: { kind: "chunked", bytes: 50_000_000 },
    status: 200,
    body: { org: ORG_B, body: "unread" },
    reason: "body_too_large",
  },
  {
    name: "admin, a stream that stalls after one chunk",
    bearer: admin,
    upload: { kind: "stalled" },
    status: 403,
    body: refused,
    reason: "body_timeout",
  },
  {
    name: "service key, a stream that stalls: the query's org",
    bearer: TEST_SECRET_KEY,
    query: `?org_id=${ORG_A}`,
    upload: { kind: "stalled" },
    status: 200,
    body: { org: ORG_A, body: "unread" },
    reason: "body_timeout",
  },
  {
    name: "admin, a broken chunked stream",
    bearer: admin,
    upload: { kind: "broken" },
    status: 403,
    body: refused,
    reason: "body_unreadable",
  },
];

const encoder = new TextEncoder();

async function sendBody(conn: Deno.Conn, upload: Upload): Promise<void> {
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  const frame = (data: Uint8Array) =>
    new Uint8Array([...encoder.encode(`${data.byteLength.toString(16)}\r\n`), ...data, 13, 10]);
  if (upload.kind === "chunked") {
    const framed = frame(chunk);
    for (let sent = 0; sent < upload.bytes; sent += chunk.byteLength) await conn.write(framed);
    await conn.write(encoder.encode("0\r\n\r\n"));
  } else if (upload.kind === "stalled") {
    await conn.write(frame(chunk.subarray(0, 100))); // and then nothing, connection open
  } else {
    await conn.write(encoder.encode("1000\r\nabc\r\nzz-not-a-chunk-size\r\n\r\n"));
    await conn.closeWrite();
  }
}

/** Sends one request on a raw connection; resolves with the response, or null after `deadlineMs`. */
async function rawRequest(port: number, c: SocketCase, deadlineMs: number) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const head = [
    `POST /functions/v1/test-fn${c.query ?? ""} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    `Authorization: Bearer ${c.bearer}`,
    "Content-Type: application/json",
    "Transfer-Encoding: chunked",
    "Connection: close",
    "",
    "",
  ].join("\r\n");
  await conn.write(encoder.encode(head));
  const writing = sendBody(conn, c.upload).catch(() => {}); // the server may stop reading
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<null>((resolve) =>
    timer = setTimeout(() => resolve(null), deadlineMs)
  );
  try {
    return await Promise.race([readResponse(conn), deadline]);
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* already closed */ }
    await writing;
  }
}

/** The response once complete (Content-Length or the last chunk), without waiting for EOF. */
function parseResponse(text: string): { status: number; body: unknown } | null {
  const end = text.indexOf("\r\n\r\n");
  if (end === -1) return null;
  const head = text.slice(0, end);
  const raw = text.slice(end + 4);
  const length = head.match(/\r\ncontent-length: (\d+)/i);
  let json: string;
  if (length !== null) {
    if (raw.length < Number(length[1])) return null;
    json = raw.slice(0, Number(length[1]));
  } else {
    if (!raw.includes("\r\n0\r\n\r\n") && !raw.startsWith("0\r\n")) return null;
    json = raw.split("\r\n")[1];
  }
  return { status: Number(head.slice(9, 12)), body: JSON.parse(json) };
}

async function readResponse(conn: Deno.Conn): Promise<{ status: number; body: unknown } | null> {
  let text = "";
  const buffer = new Uint8Array(16 * 1024);
  const decoder = new TextDecoder();
  while (true) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) return parseResponse(text);
    text += decoder.decode(buffer.subarray(0, n), { stream: true });
    const done = parseResponse(text);
    if (done !== null) return done;
  }
}

for (const c of CASES) {
  Deno.test(`socket: ${c.name} -> ${c.status} within 5 s`, async () => {
    const { logger, events } = captureLogs();
    const handler = withAuth(
      (_req, ctx) => Response.json({ org: ctx.orgId, body: ctx.body.kind }),
      { config, logger, bodyTimeoutMs: BODY_TIMEOUT_MS },
    );
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
    try {
      const started = performance.now();
      const got = await rawRequest(server.addr.port, c, 5_000);
      assert.ok(got, "an answer within 5 s");
      assert.deepEqual([got.status, got.body], [c.status, c.body]);
      if (c.upload.kind === "stalled") {
        assert.ok(performance.now() - started >= BODY_TIMEOUT_MS - 20, "waited for the timeout");
      }
      if (c.reason !== "") {
        const logged = events().find((e) =>
          e.event === "auth_rejected" || e.event === "body_not_scoped"
        );
        assert.equal(logged?.rejection_reason ?? logged?.reason, c.reason);
      }
    } finally {
      // A guard that never answers would keep shutdown() waiting: bound it, so
      // such a run fails (leaked server) instead of hanging the suite.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const bounded = new Promise((resolve) => timer = setTimeout(resolve, 2_000));
      await Promise.race([server.shutdown(), bounded]);
      clearTimeout(timer);
    }
  });
}
