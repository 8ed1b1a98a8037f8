/**
 * Issue 22: after `verifyRequest(req)` or inside `withAuth`, the handler reads
 * the body the usual way (`req.json()`, `req.text()`, `req.formData()`, ...)
 * and `ctx.body` still holds what the guard read and scoped. A body the guard
 * did not keep (a service caller's, over the limit) fails with a clear error
 * naming the guard, never Deno's "Body already consumed".
 */
import assert from "node:assert/strict";
import {
  type AuthContext,
  isAuthContext,
  loadAuthConfig,
  verifyRequest,
  withAuth,
} from "../auth-guard.ts";
import { mintAdminToken, TEST_SECRET_KEY, testAuthEnv } from "../../../../tests/support/tokens.ts";
import { makeRequest, ORG_A } from "../../../../tests/support/guard_harness.ts";

const config = loadAuthConfig(testAuthEnv());
const admin = await mintAdminToken(ORG_A);

function multipart(fields: Record<string, string>): { body: string; contentType: string } {
  const boundary = "----edge-guard-test";
  const parts = Object.entries(fields).map(([name, value]) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
  );
  return {
    body: `${parts.join("")}--${boundary}--\r\n`,
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/** What the handler read, as JSON. */
type Read = (req: Request) => Promise<unknown>;
const formObject: Read = async (req) => Object.fromEntries(await req.formData());

const CASES: {
  name: string;
  body: string;
  contentType: string;
  read: Read;
  want: unknown;
  ctxKind: AuthContext["body"]["kind"];
}[] = [
  {
    name: "req.json() of a JSON body",
    body: JSON.stringify({ org_id: ORG_A, name: "Ada" }),
    contentType: "application/json",
    read: (req) => req.json(),
    want: { org_id: ORG_A, name: "Ada" },
    ctxKind: "json",
  },
  {
    name: "req.text() of a JSON body",
    body: `{"name":"Ada"}`,
    contentType: "application/json",
    read: (req) => req.text(),
    want: `{"name":"Ada"}`,
    ctxKind: "json",
  },
  {
    name: "req.formData() of a form-encoded body",
    body: `org_id=${ORG_A}&name=Ada`,
    contentType: "application/x-www-form-urlencoded",
    read: formObject,
    want: { org_id: ORG_A, name: "Ada" },
    ctxKind: "form",
  },
  {
    name: "req.formData() of a multipart body",
    ...multipart({ org_id: ORG_A, name: "Ada" }),
    read: formObject,
    want: { org_id: ORG_A, name: "Ada" },
    ctxKind: "form",
  },
  {
    name: "req.arrayBuffer() of a text body",
    body: "plain words",
    contentType: "text/plain",
    read: async (req) => new TextDecoder().decode(await req.arrayBuffer()),
    want: "plain words",
    ctxKind: "other",
  },
  {
    name: "req.clone().text() then req.text()",
    body: "twice",
    contentType: "text/plain",
    read: async (req) => [await req.clone().text(), await req.text()],
    want: ["twice", "twice"],
    ctxKind: "other",
  },
];

for (const c of CASES) {
  Deno.test(`withAuth keeps the request readable: ${c.name}`, async () => {
    const wrapped = withAuth(
      async (req, ctx) => Response.json({ read: await c.read(req), kind: ctx.body.kind }),
      { config },
    );
    const req = makeRequest({ bearer: admin, body: c.body, contentType: c.contentType });
    const res = await wrapped(req);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { read: c.want, kind: c.ctxKind });
  });
}

Deno.test("verifyRequest(req) leaves req readable: req.json() after the guard", async () => {
  const req = makeRequest({ bearer: admin, json: { org_id: ORG_A, name: "Ada" } });
  const auth = await verifyRequest(req, { config });
  assert.ok(isAuthContext(auth));
  assert.equal(req.bodyUsed, false);
  assert.deepEqual(await req.json(), { org_id: ORG_A, name: "Ada" });
  assert.equal(req.bodyUsed, true);
  assert.deepEqual(auth.body, { kind: "json", value: { org_id: ORG_A, name: "Ada" } });
  await assert.rejects(req.text(), TypeError, "a body still reads once");
});

Deno.test("a service caller's body over the limit: reading it names the guard, memory stays bounded", async () => {
  const req = makeRequest({
    bearer: TEST_SECRET_KEY,
    query: { org_id: ORG_A },
    body: "x".repeat(2048),
    contentType: "text/plain",
  });
  const wrapped = withAuth(async (req, ctx) => {
    const err = await req.text().then(() => null, (e) => e);
    return Response.json({
      kind: ctx.body.kind,
      name: err?.name,
      code: err?.code,
      msg: err?.message,
    });
  }, { config, maxBodyBytes: 1024, logger: () => {} });
  const out = await (await wrapped(req)).json();
  assert.equal(out.kind, "unread");
  assert.equal(out.name, "GuardBodyError");
  assert.equal(out.code, "body_not_kept");
  assert.match(out.msg, /^auth-guard: the request body was not kept \(body_too_large\)/);
  assert.doesNotMatch(out.msg, /already consumed/i);
});
