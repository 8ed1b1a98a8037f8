/**
 * Issue 11: the guard is the one reader of the request. One row per class:
 * percent-encoded query names, bodies whatever their Content-Type, form and
 * multipart fields, bodies too large, too slow or broken, for users and for
 * service callers; and the handler receives exactly what was scoped.
 */
import assert from "node:assert/strict";
import type { AuthContext } from "../auth-guard.ts";
import { TEST_SECRET_KEY } from "../../../../tests/support/tokens.ts";
import { guardKeys, ORG_A, ORG_B, runGuard } from "../../../../tests/support/guard_harness.ts";
import { defineGuardTable, type GuardCase } from "../../../../tests/support/guard_table.ts";

const { config, admin } = await guardKeys();
const ADMIN = await admin(ORG_A);
const BASE = "http://localhost:54321/functions/v1/test-fn";

/** A POST with the given credential, raw query, headers and body. */
function post(
  bearer: string,
  o: { query?: string; headers?: [string, string][]; body?: BodyInit },
) {
  const headers = new Headers([["authorization", `Bearer ${bearer}`], ...(o.headers ?? [])]);
  return new Request(`${BASE}${o.query ?? ""}`, { method: "POST", headers, body: o.body });
}
const typed = (type: string, body: BodyInit, query?: string) =>
  post(ADMIN, { headers: [["content-type", type]], body, query });
const orgB = JSON.stringify({ org_id: ORG_B });

function multipart(fields: Record<string, string | Blob>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

/** A body stream: `chunks`, then end, error, or never finish. */
function stream(
  chunks: Uint8Array[],
  end: "close" | "error" | "stall",
): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      if (end === "close") controller.close();
      if (end === "error") controller.error(new TypeError("connection reset"));
    },
  });
}
const big = (bytes: number) => [new Uint8Array(bytes).fill(0x20)];
const scoped = (status: 403, reason: string): Pick<GuardCase, "status" | "error" | "reason"> => ({
  status,
  error: "org_scope_violation",
  reason,
});
const USER: Partial<AuthContext> = { via: "user_jwt", orgId: ORG_A };
const SERVICE: Partial<AuthContext> = { via: "service_key", isServiceRole: true };

const CASES: GuardCase[] = [
  // Query names decoded as URLSearchParams decodes them.
  {
    name: "?org%5Fid=B",
    req: () => post(ADMIN, { query: `?org%5Fid=${ORG_B}` }),
    ...scoped(403, "org_mismatch"),
  },
  {
    name: "?org_%69d=B",
    req: () => post(ADMIN, { query: `?org_%69d=${ORG_B}` }),
    ...scoped(403, "org_mismatch"),
  },
  {
    name: "service caller, ?org%5Fid=B names B (not every org)",
    req: () => post(TEST_SECRET_KEY, { query: `?org%5Fid=${ORG_B}` }),
    status: 200,
    ctx: { ...SERVICE, orgId: ORG_B },
  },
  // A JSON body is scoped whatever its declared type.
  {
    name: "JSON body as application/octet-stream",
    req: () => typed("application/octet-stream", orgB),
    ...scoped(403, "org_mismatch"),
  },
  {
    name: "JSON body as text/json",
    req: () => typed("text/json", orgB),
    ...scoped(403, "org_mismatch"),
  },
  {
    name: "JSON body as text/html",
    req: () => typed("text/html", orgB),
    ...scoped(403, "org_mismatch"),
  },
  {
    name: "JSON body declared multipart/form-data",
    req: () => typed("multipart/form-data; boundary=x", orgB),
    ...scoped(403, "org_mismatch"),
  },
  {
    name: "JSON body with two Content-Type headers",
    req: () =>
      post(ADMIN, {
        headers: [["content-type", "text/plain"], ["content-type", "application/x-foo"]],
        body: orgB,
      }),
    ...scoped(403, "org_mismatch"),
  },
  {
    name: "JSON body with no Content-Type",
    req: () => post(ADMIN, { body: new Blob([orgB]) }),
    ...scoped(403, "org_mismatch"),
  },
  // Form fields.
  {
    name: "form-encoded org_id=B",
    req: () => typed("application/x-www-form-urlencoded", `org_id=${ORG_B}`),
    ...scoped(403, "org_mismatch"),
  },
  {
    name: "form-encoded org%5Fid=B",
    req: () => typed("application/x-www-form-urlencoded", `mode=full&org%5Fid=${ORG_B}`),
    ...scoped(403, "org_mismatch"),
  },
  {
    name: "multipart field org_id=B",
    req: () => post(ADMIN, { body: multipart({ mode: "full", org_id: ORG_B }) }),
    ...scoped(403, "org_mismatch"),
  },
  {
    name: "multipart org_id as a file",
    req: () => post(ADMIN, { body: multipart({ org_id: new Blob([ORG_A]) }) }),
    ...scoped(403, "invalid_org_id"),
  },
  {
    name: "multipart field org_id=A is the admin's own",
    req: () => post(ADMIN, { body: multipart({ org_id: ORG_A }) }),
    status: 200,
    ctx: USER,
  },
  // Bodies that cannot be read whole.
  {
    name: "chunked body over 1 MiB",
    req: () => typed("application/json", stream(big(1024 * 1024 + 1), "close")),
    ...scoped(403, "body_too_large"),
  },
  {
    name: "declared Content-Length over 1 MiB",
    req: () => typed("application/json", new Uint8Array(1024 * 1024 + 1)),
    ...scoped(403, "body_too_large"),
  },
  {
    name: "a body stream that errors",
    req: () => typed("application/json", stream(big(10), "error")),
    ...scoped(403, "body_unreadable"),
  },
  {
    name: "a body stream that never ends",
    req: () => typed("application/json", stream(big(10), "stall")),
    options: { bodyTimeoutMs: 50 },
    ...scoped(403, "body_timeout"),
  },
  {
    name: "a smaller maxBodyBytes applies",
    req: () => typed("application/json", JSON.stringify({ org_id: ORG_A, pad: "x".repeat(200) })),
    options: { maxBodyBytes: 100 },
    ...scoped(403, "body_too_large"),
  },
  {
    name: "service caller, body over 1 MiB: the query's org",
    req: () =>
      post(TEST_SECRET_KEY, {
        query: `?org_id=${ORG_B}`,
        body: stream(big(2 * 1024 * 1024), "close"),
      }),
    status: 200,
    ctx: { ...SERVICE, orgId: ORG_B, body: { kind: "unread", reason: "body_too_large" } },
    events: ["body_not_scoped"],
  },
  {
    name: "service caller, a stream that never ends: the query's org",
    req: () => post(TEST_SECRET_KEY, { query: `?org_id=${ORG_A}`, body: stream(big(10), "stall") }),
    options: { bodyTimeoutMs: 50 },
    status: 200,
    ctx: { ...SERVICE, orgId: ORG_A, body: { kind: "unread", reason: "body_timeout" } },
  },
  {
    name: "service caller, a broken stream",
    req: () => post(TEST_SECRET_KEY, { body: stream(big(10), "error") }),
    status: 200,
    ctx: { ...SERVICE, orgId: null, body: { kind: "unread", reason: "body_unreadable" } },
  },
];

defineGuardTable("request", CASES, { config });

const HANDED_OVER: [string, () => Request, AuthContext["body"]][] = [
  ["no body", () => post(ADMIN, {}), { kind: "empty" }],
  ["JSON as text/html", () => typed("text/html", '{"mode":"full"}'), {
    kind: "json",
    value: { mode: "full" },
  }],
  ["malformed JSON", () => typed("application/json", '{"org_id": "' + ORG_B), { kind: "other" }],
  ["form fields", () => typed("application/x-www-form-urlencoded", "mode=full&org_id=" + ORG_A), {
    kind: "form",
    fields: [["mode", "full"], ["org_id", ORG_A]],
  }],
];

for (const [name, req, body] of HANDED_OVER) {
  Deno.test(`request: the handler gets what the guard scoped (${name})`, async () => {
    const got = await runGuard(req(), { config });
    assert.deepEqual(got.ctx?.body, body);
  });
}
