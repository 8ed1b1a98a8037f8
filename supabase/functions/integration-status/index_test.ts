/**
 * integration-status against a real database: per job the organization's own
 * latest run (never another organization's), its status words, the next cron
 * time, open alerts when the watchdog table exists, and who may look.
 */
import assert from "node:assert/strict";
import { createHandler } from "./index.ts";
import { connect, resetAppData, type Sql, testDatabaseUrl } from "../../../tests/support/db.ts";
import {
  mintAdminToken,
  mintUserToken,
  TEST_SERVICE_ROLE_KEY,
  testAuthEnv,
} from "../../../tests/support/tokens.ts";
import { captureLogs } from "../../../tests/support/guard_harness.ts";
import { assertNoSecrets, newOrg } from "../../../tests/support/bots_fixtures.ts";

const NOW = new Date("2026-11-23T10:22:41Z");
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

async function run(sql: Sql, r: {
  key: string;
  org: string;
  job?: string;
  status: string;
  at: Date;
  results?: Record<string, unknown>;
  startedBy?: "schedule" | "admin" | "service";
}) {
  await sql`insert into public.sync_runs (idempotency_key, integration, job, scheduled_for,
      started_at, finished_at, status, org_results, org_id, started_by)
    values (${r.key}, 'odoo', ${r.job ?? "crm"}, ${r.at}, ${r.at},
      ${r.status === "running" ? null : r.at}, ${r.status}, ${
    JSON.stringify(r.results ?? {})
  }::text::jsonb, ${r.org}::uuid, ${r.startedBy ?? "schedule"})`;
}

const get = (token: string, query = "") =>
  new Request(`http://127.0.0.1:54321/functions/v1/integration-status${query}`, {
    headers: { Authorization: `Bearer ${token}` },
  });

const member = (org: string) =>
  mintUserToken({ app_metadata: { claims: { organization_id: org, integration_admin: false } } });

async function seed(sql: Sql) {
  const [a, b] = [await newOrg(sql, "Acme Nordic AS"), await newOrg(sql)];
  const ok = (n: number, complete = true) => ({
    status: "ok",
    complete,
    fetched: n,
    upserted: n,
    pages: 1,
  });
  for (const [org, result] of [[a, ok(25, false)], [b, ok(3)]] as const) {
    await run(sql, {
      key: `odoo:crm:org:${org}:2026-11-23T10:00Z`,
      org,
      status: result.complete ? "succeeded" : "partial",
      at: minutesAgo(22),
      results: { [org]: result },
    });
  }
  await run(sql, {
    key: `odoo:crm:manual:${b}:2026-11-23T10:20Z`,
    startedBy: "admin",
    org: b,
    status: "succeeded",
    at: minutesAgo(2),
    results: { [b]: ok(1) },
  });
  await run(sql, {
    key: `odoo:chatter:org:${a}:2026-11-23T09:45Z`,
    org: a,
    job: "chatter",
    status: "failed",
    at: minutesAgo(37),
    results: {
      [a]: { status: "error", error: "odoo_auth_failed", fetched: 0, upserted: 0, pages: 0 },
    },
  });
  await run(sql, {
    key: `odoo:chatter:manual:${a}:2026-11-23T10:21Z`,
    startedBy: "admin",
    org: a,
    job: "chatter",
    status: "running",
    at: minutesAgo(1),
  });
  return { a, b };
}

Deno.test("integration-status: each job's latest run of the caller's organization, next cron time, who may sync", async () => {
  const sql = connect(await testDatabaseUrl());
  try {
    await resetAppData(sql);
    const { a, b } = await seed(sql);
    const { logger, lines } = captureLogs();
    const handler = createHandler({ sql, env: testAuthEnv(), logger, now: () => NOW });
    const res = await handler(get(await member(a)));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("Access-Control-Allow-Origin"), "*");
    const body = await res.json();
    assert.equal(body.organization_id, a);
    assert.equal(body.organization_name, "Acme Nordic AS");
    assert.equal(body.can_sync, false, "a member may look, not sync");
    const [crm, chatter] = body.jobs;
    assert.deepEqual(
      [crm.job, crm.schedule, crm.next_run_at],
      ["crm", "* * * * *", "2026-11-23T10:23:00.000Z"],
      "the dispatcher ticks every minute; an org it never sent is due at the next tick",
    );
    assert.deepEqual(
      [crm.last_run.status, crm.last_run.trigger, crm.last_run.fetched, crm.last_run.upserted],
      ["incomplete", "scheduled", 25, 25],
      "org B's later manual run is not org A's",
    );
    assert.equal(chatter.next_run_at, null, "a run is in flight");
    assert.deepEqual(chatter.next_attempt, { at: null, reason: "in_flight", failures: 0 });
    assert.deepEqual([chatter.last_run.status, chatter.last_run.trigger], ["running", "manual"]);
    assert.deepEqual(
      chatter.history.map((r: { status: string; trigger: string; error: string | null }) =>
        `${r.trigger} ${r.status} ${r.error}`
      ),
      ["manual running null", "scheduled failed odoo_auth_failed"],
      "the history: newest first, its trigger, outcome and code",
    );
    assert.equal(crm.last_success, null, "an incomplete run is not a success");
    assert.deepEqual(body.overall.state, "syncing");

    const admin = await (await handler(get(await mintAdminToken(b)))).json();
    assert.equal(admin.can_sync, true);
    assert.deepEqual(
      [admin.jobs[0].last_run.status, admin.jobs[0].last_run.fetched],
      ["succeeded", 1],
    );
    assert.equal(admin.jobs[1].last_run, null, "org A's failure is not shown to org B");
    assert.deepEqual(admin.jobs[0].last_success, {
      at: minutesAgo(2).toISOString(),
      fetched: 1,
      upserted: 1,
    });

    const timedOut = { status: "error", error: "odoo_timeout", fetched: 0, upserted: 0, pages: 0 };
    await sql`update public.sync_runs set status = 'failed', finished_at = ${NOW},
      org_results = ${JSON.stringify({ [a]: timedOut })}::text::jsonb
      where status = 'running'`;
    const after = (await (await handler(get(await member(a)))).json()).jobs[1];
    const failed = after.last_run;
    assert.deepEqual([failed.status, failed.error], ["failed", "odoo_timeout"]);
    assert.equal(
      after.next_attempt.reason,
      "schedule",
      "a run row alone moves no state (only finish/fail do): due at the next tick",
    );

    // The sync queue's state, as finish_org_sync / fail_org_sync leave it: CRM succeeded in this
    // period, so it is due at its slot in the next one; chatter failed at 10:22:41 and backs off.
    const at = (ms: number) => new Date(NOW.getTime() + ms);
    await sql`insert into public.sync_org_state
        (org_id, job, last_success_at, last_finished_at, last_status, consecutive_failures,
         next_attempt_at, next_due_at)
      values (${a}, 'crm', ${at(-6 * 60_000)}, ${at(-6 * 60_000)}, 'succeeded', 0, null,
          ${new Date("2026-11-23T10:30:00Z")}),
        (${a}, 'chatter', null, ${NOW}, 'failed', 1, ${at(15 * 60_000)}, ${at(15 * 60_000)})
      on conflict (org_id, job) do update set last_success_at = excluded.last_success_at,
        last_finished_at = excluded.last_finished_at, last_status = excluded.last_status,
        consecutive_failures = excluded.consecutive_failures,
        next_attempt_at = excluded.next_attempt_at, next_due_at = excluded.next_due_at`;
    const due = (await (await handler(get(await member(a)))).json()).jobs;
    assert.deepEqual(
      due.map((j: { next_run_at: string }) => j.next_run_at),
      ["2026-11-23T10:30:00.000Z", "2026-11-23T10:38:00.000Z"],
    );
    assert.deepEqual(due[1].next_attempt, {
      at: "2026-11-23T10:38:00.000Z",
      reason: "backoff",
      failures: 1,
    });
    const overall = (await (await handler(get(await member(a)))).json()).overall;
    assert.deepEqual([overall.state, overall.until], ["waiting", "2026-11-23T10:38:00.000Z"]);
    assertNoSecrets(lines);
  } finally {
    await sql.end();
  }
});

Deno.test("integration-status: refusals", async () => {
  const sql = connect(await testDatabaseUrl());
  try {
    const { logger } = captureLogs();
    const handler = createHandler({ sql, env: testAuthEnv(), logger, now: () => NOW });
    const org = "0f4b5c8e-1a2b-4c3d-8e9f-00000000000a";
    const other = "0f4b5c8e-1a2b-4c3d-8e9f-00000000000b";
    const cases: [string, Request, number, string][] = [
      ["no token", new Request("http://x/integration-status"), 401, "missing_authorization"],
      ["another org's id", get(await member(org), `?org_id=${other}`), 403, "org_scope_violation"],
      ["a user without organization", get(await mintUserToken()), 403, "insufficient_permissions"],
      ["service key without org_id", get(TEST_SERVICE_ROLE_KEY), 400, "invalid_request"],
      [
        "POST",
        new Request("http://x/integration-status", {
          method: "POST",
          headers: { Authorization: `Bearer ${await member(org)}` },
        }),
        405,
        "method_not_allowed",
      ],
    ];
    for (const [name, req, status, error] of cases) {
      const res = await handler(req);
      assert.deepEqual([res.status, (await res.json()).error], [status, error], name);
    }
    const service = await handler(get(TEST_SERVICE_ROLE_KEY, `?org_id=${org}`));
    assert.equal(service.status, 200, "a service caller names the org");
    await service.body?.cancel();
    const broken = createHandler({ env: testAuthEnv(), logger });
    const res = await broken(get(await member(org)));
    assert.deepEqual([res.status, await res.json()], [500, { error: "server_misconfigured" }]);
    const preflight = await handler(new Request("http://x/", { method: "OPTIONS" }));
    assert.equal(preflight.status, 204);
  } finally {
    await sql.end();
  }
});

Deno.test("integration-status: an organization sees its own alerts (its runs, bots) and the project-wide ones only", async () => {
  const sql = connect(await testDatabaseUrl());
  try {
    await resetAppData(sql);
    const [a, b] = [await newOrg(sql), await newOrg(sql)];
    const handler = createHandler({
      sql,
      env: testAuthEnv(),
      logger: captureLogs().logger,
      now: () => NOW,
    });
    // The shared test database runs the watchdog's cron job: resolve what it opened meanwhile.
    await sql`update public.edge_guard_alerts set resolved_at = now() where resolved_at is null`;
    const stuck = async (org: string | null) => {
      const [{ id }] = await sql`insert into public.sync_runs
          (idempotency_key, integration, job, scheduled_for, started_at, status, org_id)
        values (${`odoo:crm:stuck:${org}`}, 'odoo', 'crm', ${NOW}, ${NOW}, 'running', ${org})
        returning id`;
      return `sync_run:${id}`;
    };
    const [runA, runB, runAll] = [await stuck(a), await stuck(b), await stuck(null)];
    // Inserted as the watchdog inserts them: the trigger fills org_id and project_wide.
    const alert = (check: string, subject: string, resolved: Date | null = null) =>
      sql`insert into public.edge_guard_alerts
          (check_id, subject, severity, detail, opened_at, last_seen_at, resolved_at)
        values (${check}, ${subject}, 'error', 'detail', ${NOW}, ${NOW}, ${resolved})`;
    await alert("org_sync_failing", `org:${a}`);
    await alert("org_sync_failing", `org:${b}`);
    await alert("vault_secret_missing", "project_url");
    await alert("http_auth_rejected", "odoo-crm-sync-incremental");
    await alert("sync_run_stuck", runA);
    await alert("sync_run_stuck", runB);
    await alert("sync_run_stuck", runAll);
    await alert("org_sync_stale", `org:${a}`, NOW);
    const seen = async (org: string) =>
      ((await (await handler(get(await member(org)))).json()).alerts as {
        check_id: string;
        subject: string;
      }[]).map((x) => `${x.check_id} ${x.subject}`).sort();
    const projectWide = [
      "http_auth_rejected odoo-crm-sync-incremental",
      "vault_secret_missing project_url",
    ];
    assert.deepEqual(
      await seen(a),
      [...projectWide, `org_sync_failing org:${a}`, `sync_run_stuck ${runA}`].sort(),
    );
    const body = await (await handler(get(await member(b)))).json();
    assert.deepEqual(
      [body.overall.state, body.overall.since],
      ["failing", NOW.toISOString()],
      "an open alert about the organization: never healthy",
    );
    assert.equal(
      body.alerts.find((x: { check_id: string }) => x.check_id === "vault_secret_missing")
        .project_wide,
      true,
    );
    assert.deepEqual(
      await seen(b),
      [...projectWide, `org_sync_failing org:${b}`, `sync_run_stuck ${runB}`].sort(),
    );
  } finally {
    await sql`delete from public.edge_guard_alerts where detail = 'detail' and opened_at = ${NOW}`;
    await sql.end();
  }
});
