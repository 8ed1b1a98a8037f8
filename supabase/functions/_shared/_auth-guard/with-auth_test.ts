/**
 * withAuth (CORS, handler call, errors), denyOrgScope, isAuthContext, the
 * process-wide configuration, and the guard's module graph.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { corsHeaders } from "../http.ts";
import {
  type AuthContext,
  denyOrgScope,
  isAuthContext,
  loadAuthConfig,
  verifyRequest,
  withAuth,
} from "../auth-guard.ts";
import {
  mintAdminToken,
  TEST_SECRET_KEY,
  TEST_SERVICE_ROLE_KEY,
  testAuthEnv,
} from "../../../../tests/support/tokens.ts";
import { captureLogs, makeRequest, ORG_A, ORG_B } from "../../../../tests/support/guard_harness.ts";

const config = loadAuthConfig(testAuthEnv());

function assertCors(res: Response) {
  for (const [name, value] of Object.entries(corsHeaders)) {
    assert.equal(res.headers.get(name), value);
  }
}

function recordingHandler(reply: (req: Request, ctx: AuthContext) => Response | Promise<Response>) {
  const calls: { ctx: AuthContext; body: unknown }[] = [];
  const handler = (req: Request, ctx: AuthContext) => {
    calls.push({ ctx, body: ctx.body.kind === "json" ? ctx.body.value : null });
    return reply(req, ctx);
  };
  return { handler, calls };
}

Deno.test("withAuth: OPTIONS preflight -> 204 with CORS, before authentication", async () => {
  const { logger, lines } = captureLogs();
  const { handler, calls } = recordingHandler(() => new Response("no"));
  const res = await withAuth(handler, { config, logger })(makeRequest({ method: "OPTIONS" }));
  assert.equal(res.status, 204);
  assertCors(res);
  assert.equal(calls.length, 0);
  assert.equal(lines.length, 0, "preflight is not a rejection");
});

Deno.test("withAuth: seed (6) a valid admin reaches the handler with the body the guard read", async () => {
  const { handler, calls } = recordingHandler((_req, ctx) => Response.json({ org: ctx.orgId }));
  const token = await mintAdminToken(ORG_A, { sub: "admin-a" });
  const body = { org_id: ORG_A, mode: "incremental" };
  const res = await withAuth(handler, { config })(makeRequest({ bearer: token, json: body }));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { org: ORG_A });
  assertCors(res);
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].body, body);
  assert.equal(calls[0].ctx.userId, "admin-a");
  assert.equal(calls[0].ctx.via, "user_jwt");
});

Deno.test("withAuth: the guard reads once; the handler gets ctx.body and a readable request", async () => {
  const token = await mintAdminToken(ORG_A);
  const wrapped = withAuth(async (req, ctx) => {
    const used = req.bodyUsed;
    return Response.json({ used, read: await req.json(), body: ctx.body });
  }, { config });
  const res = await wrapped(makeRequest({ bearer: token, json: { org_id: ORG_A, n: 1 } }));
  assert.deepEqual(await res.json(), {
    used: false,
    read: { org_id: ORG_A, n: 1 },
    body: { kind: "json", value: { org_id: ORG_A, n: 1 } },
  });
});

Deno.test("withAuth: rejections carry CORS and never reach the handler", async () => {
  const { handler, calls } = recordingHandler(() => new Response("no"));
  const token = await mintAdminToken(ORG_A);
  const wrapped = withAuth(handler, { config, logger: () => {} });
  for (
    const [req, status] of [
      [makeRequest(), 401],
      [makeRequest({ bearer: "x.y.z" }), 401],
      [makeRequest({ bearer: token, query: { org_id: ORG_B } }), 403],
    ] as const
  ) {
    const res = await wrapped(req);
    assert.equal(res.status, status);
    assertCors(res);
    assert.ok(res.headers.get("WWW-Authenticate"));
    await res.body?.cancel();
  }
  assert.equal(calls.length, 0);
});

Deno.test("withAuth: a throwing handler -> 500 internal_error, logged, message not returned", async () => {
  const { logger, events } = captureLogs();
  const wrapped = withAuth(() => {
    throw new Error("database password is hunter2");
  }, { config, logger, functionName: "odoo-crm-sync" });
  const res = await wrapped(makeRequest({ bearer: TEST_SECRET_KEY }));
  assert.equal(res.status, 500);
  assert.equal(await res.text(), '{"error":"internal_error"}');
  assertCors(res);
  const logged = events().find((e) => e.event === "handler_error");
  assert.equal(logged?.level, "error");
  assert.equal(logged?.function_name, "odoo-crm-sync");
  assert.equal(logged?.caller_identity, "service_role");
});

Deno.test("withAuth: a handler response with immutable headers still gets CORS", async () => {
  const wrapped = withAuth(() => Response.redirect("https://example.test/", 302), { config });
  const res = await wrapped(makeRequest({ bearer: TEST_SERVICE_ROLE_KEY }));
  assert.equal(res.status, 302);
  assertCors(res);
});

Deno.test("denyOrgScope: same 403 as the guard, logged with the caller and target org", async () => {
  const { logger, events } = captureLogs();
  const token = await mintAdminToken(ORG_A, { sub: "admin-a" });
  const fromGuard = await verifyRequest(makeRequest({ bearer: token, query: { org_id: ORG_B } }), {
    config,
    logger: () => {},
  });
  assert.ok(fromGuard instanceof Response);
  const ctx = await verifyRequest(makeRequest({ bearer: token }), { config });
  assert.ok(isAuthContext(ctx));
  const denied = denyOrgScope(ctx, ORG_B, { logger, functionName: "bot-executor" });
  assert.equal(denied.status, 403);
  assert.deepEqual([...denied.headers], [...fromGuard.headers]);
  assert.equal(await denied.text(), await fromGuard.text());
  const [line] = events();
  assert.equal(line.event, "auth_rejected");
  assert.equal(line.caller_identity, "admin-a");
  assert.equal(line.attempted_org_id, ORG_B);
  assert.equal(line.rejection_reason, "org_mismatch");
  assert.equal(line.function_name, "bot-executor");
});

Deno.test("denyOrgScope: a service caller is logged as service_role", () => {
  const { logger, events } = captureLogs();
  const ctx: AuthContext = {
    userId: null,
    orgId: ORG_A,
    isServiceRole: true,
    via: "cron_secret",
    isIntegrationAdmin: false,
    claims: null,
    body: { kind: "empty" },
  };
  assert.equal(denyOrgScope(ctx, ORG_B, { logger }).status, 403);
  assert.equal(events()[0].caller_identity, "service_role");
});

Deno.test("isAuthContext tells contexts from responses", () => {
  assert.equal(isAuthContext(new Response(null, { status: 401 })), false);
  const ctx: AuthContext = {
    userId: "u",
    orgId: ORG_A,
    isServiceRole: false,
    via: "user_jwt",
    isIntegrationAdmin: true,
    claims: {},
    body: { kind: "empty" },
  };
  assert.equal(isAuthContext(ctx), true);
});

const GUARD = fileURLToPath(new URL("../auth-guard.ts", import.meta.url));

Deno.test("module graph: the guard loads neither supabase-js nor anything but jose from npm", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", GUARD],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as DenoInfo;
  const specifiers = graph.modules.map((m) => m.specifier);
  assert.ok(specifiers.some((s) => s.endsWith("/_shared/auth-guard.ts")), "graph was read");
  const reachable = npmClosure(graph);
  assert.deepEqual(reachable, ["jose@6.2.18"]);
  const everything = [...specifiers, ...reachable, ...Object.values(graph.redirects)].join(" ");
  assert.ok(!/supabase-js|@supabase\//.test(everything), "supabase-js in the guard's graph");
});

interface DenoInfo {
  modules: { specifier: string; kind?: string; npmPackage?: string }[];
  redirects: Record<string, string>;
  npmPackages: Record<string, { dependencies?: string[] }>;
}

/** npm packages the graph actually loads (not merely the lockfile's), with their dependencies. */
function npmClosure(graph: DenoInfo): string[] {
  const todo = graph.modules.flatMap((m) => (m.npmPackage ? [m.npmPackage] : []));
  const seen = new Set<string>();
  for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    todo.push(...(graph.npmPackages[id]?.dependencies ?? []));
  }
  return [...seen].sort();
}

Deno.test("default config: read once from the environment; problems logged at start-up and per request", async () => {
  const script = `
    import { verifyRequest } from ${
    JSON.stringify(new URL("../auth-guard.ts", import.meta.url).href)
  };
    for (let i = 0; i < 2; i++) {
      const res = await verifyRequest(new Request("http://localhost/fn"));
      console.log("status " + res.status);
    }`;
  const env: Record<string, string> = { NO_COLOR: "1", SUPABASE_SECRET_KEYS: "not-json" };
  for (const name of ["HOME", "PATH", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", script],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, stderr);
  assert.equal(stdout.trim(), "status 500\nstatus 500");
  const lines = stderr.trim().split("\n").map((l) => JSON.parse(l));
  const phases = lines.filter((l) => l.event === "auth_config_invalid").map((l) => l.phase);
  assert.deepEqual(phases, ["startup", "request", "request"]);
  assert.ok(lines.every((l) => !JSON.stringify(l).includes("not-json")), "value not logged");
  assert.ok(lines[0].settings.includes("SUPABASE_SECRET_KEYS"));
});
