/**
 * What `./dev run` prints, at 80 columns: the status block fits 80×24 and
 * names the URLs, the sign-ins, where the keys are and what to run next
 * (never a key); the logs are one human line each, at most 80 columns.
 */
import assert from "node:assert/strict";
import { type BannerFacts, READY_LINE, statusBlock } from "./banner.ts";
import { humanLine, logMode } from "./human_log.ts";

const FACTS: BannerFacts = {
  urls: {
    api: "http://127.0.0.1:54321",
    functions: "http://127.0.0.1:54321/functions/v1",
    db: "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
    jwks: "http://127.0.0.1:54321/auth/v1/.well-known/jwks.json",
    odoo: "http://127.0.0.1:41234",
    receiver: "http://127.0.0.1:41235",
    admin: "http://127.0.0.1:54321/admin/",
  },
  functionNames: [
    "bot-executor",
    "bot-scheduler",
    "check-sla-breaches",
    "integration-status",
    "odoo-chatter-sync",
    "odoo-crm-sync",
  ],
  demo: {
    orgId: "0f4b5c8e-1a2b-4c3d-8e9f-00000000000a",
    adminUserId: "a",
    memberUserId: "m",
    botId: null,
    slaPolicyId: null,
    tokens: { admin: "eyJhbGciOiJFUzI1NiJ9.e30.sig", member: "eyJhbGciOiJFUzI1NiJ9.e30.sig2" },
    users: {
      admin: { email: "admin@demo.local", password: "Zq8-demo-admin-pw-1234" },
      member: { email: "member@demo.local", password: "Zq8-demo-member-pw-5678" },
    },
  },
  files: {
    stackJson: "/repo/.local/stack.json",
    functionsEnv: "/repo/.local/functions.env",
  },
  auth: { version: "2.196.0", signing: "ES256" },
};

Deno.test("statusBlock: fits 80x24, names what a developer needs, prints no key", () => {
  for (const pausedCron of [false, true]) {
    const lines = statusBlock(FACTS, { pausedCron, width: 80, cwd: "/repo" });
    assert.ok(lines.length <= 24, `${lines.length} lines:\n${lines.join("\n")}`);
    for (const line of lines) assert.ok(line.length <= 80, `wider than 80: ${line}`);
    const text = lines.join("\n");
    assert.equal(lines.at(-1), READY_LINE);
    for (
      const needed of [
        "API URL: http://127.0.0.1:54321",
        "Odoo URL: http://127.0.0.1:41234",
        "http://127.0.0.1:54321/admin/",
        "admin@demo.local / Zq8-demo-admin-pw-1234",
        "member@demo.local / Zq8-demo-member-pw-5678",
        ".local/functions.env (keys)",
        "./dev try",
        "./dev help",
        "odoo-crm-sync",
      ]
    ) assert.ok(text.includes(needed), `lacks ${needed}`);
    assert.doesNotMatch(
      text,
      /eyJ|sb_secret|sb_publishable|curl -sS/,
      "keys, tokens and curl lines stay out",
    );
  }
});

const LINE = (fields: Record<string, unknown>) =>
  JSON.stringify({ level: "info", event: "e", timestamp: "2026-12-06T21:30:04.120Z", ...fields });

Deno.test("humanLine: time, level, function, event, status, duration; at most 80 columns", () => {
  const cases: [string, string, string][] = [
    [
      "a function request",
      LINE({
        event: "function_request",
        function: "odoo-crm-sync",
        method: "POST",
        status: 200,
        outcome: "answered",
        duration_ms: 12,
        cpu_time_ms: null,
      }),
      "21:30:04 info  odoo-crm-sync function_request POST 200 12ms outcome=answered",
    ],
    [
      "a function's own event (function_name), a warning",
      LINE({
        level: "warn",
        event: "sync_org_failed",
        function_name: "odoo-crm-sync",
        error: "odoo_auth_failed",
      }),
      "21:30:04 WARN  odoo-crm-sync sync_org_failed error=odoo_auth_failed",
    ],
    ["not JSON: as it is", "plain text", "plain text"],
    [
      "a long line is cut at 80",
      LINE({ event: "x", detail: "d".repeat(200) }),
      `21:30:04 info  x detail=${"d".repeat(55)}…`,
    ],
  ];
  for (const [name, input, expected] of cases) {
    const out = humanLine(input, 80);
    assert.equal(out, expected, name);
    assert.ok([...out].length <= 80, name);
  }
});

Deno.test("logMode: human lines at a terminal, JSON otherwise or with --json-logs", () => {
  const cases: [boolean, boolean, "human" | "json"][] = [
    [true, false, "human"],
    [true, true, "json"],
    [false, false, "json"],
    [false, true, "json"],
  ];
  for (const [terminal, jsonLogs, mode] of cases) {
    assert.equal(
      logMode({ terminal, jsonLogs }),
      mode,
      `terminal ${terminal}, --json-logs ${jsonLogs}`,
    );
  }
});
