/** Every answer "sync now" can get, in words with what to do. */
import assert from "node:assert/strict";
import { type Answer, describeAnswer } from "./messages.ts";
import { codesOf } from "../../supabase/functions/_shared/error-catalogue.ts";

const org = (o: Record<string, unknown>) => ({
  organizations: [{ org_id: "o", fetched: 3, upserted: 2, pages: 1, ...o }],
});

Deno.test("describeAnswer: one sentence per answer, saying what to do", () => {
  const cases: [string, Answer, string, RegExp][] = [
    [
      "200 succeeded",
      {
        kind: "http",
        status: 200,
        body: { status: "succeeded", ...org({ status: "ok", complete: true }) },
      },
      "success",
      /^CRM: sync succeeded, 3 fetched from Odoo, 2 saved\.$/,
    ],
    [
      "200 incomplete",
      {
        kind: "http",
        status: 200,
        body: { status: "partial", ...org({ status: "ok", complete: false }) },
      },
      "info",
      /incomplete: the run reached its time limit\. The rest follows on the next run/,
    ],
    [
      "already_ran",
      { kind: "http", status: 200, body: { status: "already_ran" } },
      "info",
      /already synced this minute/,
    ],
    [
      "401",
      { kind: "http", status: 401, body: { error: "invalid_token" } },
      "error",
      /^Your session has expired\. Sign in again\.$/,
    ],
    [
      "403 insufficient_permissions",
      { kind: "http", status: 403, body: { error: "insufficient_permissions" } },
      "error",
      /Ask an administrator of your organization to grant integration_admin/,
    ],
    [
      "403 org_scope_violation",
      { kind: "http", status: 403, body: { error: "org_scope_violation" } },
      "error",
      /only sync your own organization/,
    ],
    [
      "500 server_misconfigured",
      { kind: "http", status: 500, body: { error: "server_misconfigured" } },
      "error",
      /settings are incomplete.*run the doctor \(\.\/dev doctor\)/,
    ],
    [
      "502 odoo_auth_failed",
      {
        kind: "http",
        status: 502,
        body: { status: "failed", ...org({ status: "error", error: "odoo_auth_failed" }) },
      },
      "error",
      /^Odoo refused or failed \(odoo_auth_failed\)\. .*new API key/,
    ],
    [
      "502 odoo_timeout",
      {
        kind: "http",
        status: 502,
        body: org({ status: "error", error: "odoo_timeout" }),
      },
      "error",
      /\(odoo_timeout\)\. Odoo did not answer in time/,
    ],
    [
      "503 auth_unavailable",
      { kind: "http", status: 503, body: { error: "auth_unavailable" } },
      "error",
      /could not be checked right now \(auth_unavailable\).*Try again in a minute/,
    ],
    [
      "gateway 404",
      { kind: "http", status: 404, body: { code: "NOT_FOUND" } },
      "error",
      /could not answer \(NOT_FOUND\)\. The sync function is not deployed/,
    ],
    [
      "546 WORKER_LIMIT",
      { kind: "http", status: 546, body: { code: "WORKER_LIMIT", message: "..." } },
      "error",
      /could not answer \(WORKER_LIMIT\)\. The sync ran out of its time or memory/,
    ],
    ["network", { kind: "network" }, "error", /did not reach the server \(network failure\)/],
  ];
  for (const [name, answer, tone, text] of cases) {
    const m = describeAnswer("CRM", answer);
    assert.equal(m.tone, tone, name);
    assert.match(m.text, text, name);
    assert.equal(m.signInAgain === true, name === "401", name);
  }
});

Deno.test("describeAnswer: every failure code a sync reports gets its own hint", () => {
  const failed = (error: string): Answer => ({
    kind: "http",
    status: 502,
    body: { status: "failed", ...org({ status: "error", error }) },
  });
  const hints = new Map<string, string>();
  for (const code of codesOf("sync", "function")) {
    const m = describeAnswer("CRM", failed(code));
    const head = `Odoo refused or failed (${code}). `;
    assert.ok(m.text.startsWith(head), `${code}: ${m.text}`);
    hints.set(code, m.text.slice(head.length));
  }
  assert.ok(hints.has("odoo_unreachable") && hints.has("odoo_api_unavailable"));
  const seen = new Map<string, string>();
  for (const [code, hint] of hints) {
    assert.equal(seen.get(hint), undefined, `${code} shares its hint with ${seen.get(hint)}`);
    seen.set(hint, code);
  }
  assert.match(hints.get("odoo_api_unavailable")!, /external API/);
  const unknown = describeAnswer("CRM", failed("odoo_unavailable")).text;
  assert.equal(unknown, `Odoo refused or failed (odoo_unavailable). ${hints.get("odoo_error")}`);
});

Deno.test("describeAnswer: every platform answer gets its own hint", () => {
  const hints = new Set<string>();
  for (const code of codesOf("platform")) {
    const m = describeAnswer("CRM", { kind: "http", status: 500, body: { code, message: "m" } });
    const head = `The function could not answer (${code}). `;
    assert.ok(m.text.startsWith(head), `${code}: ${m.text}`);
    hints.add(m.text.slice(head.length));
  }
  assert.equal(hints.size, codesOf("platform").length);
});
