/**
 * The outbound policy in the functions (issue 21): an organization's Odoo
 * `base_url` or a bot's `webhook_url` naming a metadata, loopback or private
 * address is never called: the sync records `odoo_destination_refused` for
 * the organization, the bot run `webhook_destination_refused` with no excerpt.
 * Oversized answers are a fixed error with nothing partial stored. A function
 * started with OUTBOUND_ALLOW_PRIVATE on warns once; a malformed setting is a
 * loud 500 naming it. Real PostgreSQL; fakes on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { createHandler as crmHandler } from "../supabase/functions/odoo-crm-sync/index.ts";
import { createHandler as executorHandler } from "../supabase/functions/bot-executor/index.ts";
import { makeLeads } from "../supabase/local/odoo.ts";
import { captureLogs, makeRequest } from "./support/guard_harness.ts";
import { syncWorld } from "./support/odoo_sync_harness.ts";
import { call, newBot, withBotDb } from "./support/bots_fixtures.ts";
import { TEST_SERVICE_ROLE_KEY, testAuthEnv } from "./support/tokens.ts";

const PRODUCTION = testAuthEnv({ OUTBOUND_ALLOW_PRIVATE: undefined });
const noSleep = () => Promise.resolve();
/** A JWT-shaped value a webhook echoes back (not a real key). */
const ECHOED = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJlLWVjaG9lZA";

/** A fetch that must never be called; counts the calls it got. */
function forbiddenFetch() {
  const urls: string[] = [];
  const fetchFn: typeof fetch = (input) => {
    urls.push(String(input));
    return Promise.resolve(Response.json({ jsonrpc: "2.0", id: 1, result: 2 }));
  };
  return { fetch: fetchFn, urls };
}

const SPELLINGS = [
  "http://169.254.169.254/",
  "https://0xa9fea9fe/",
  "https://2852039166/",
  "https://0251.0376.0251.0376/",
  "https://[::ffff:169.254.169.254]/",
  "https://[fd00:ec2::254]/",
  "https://169.254.170.2/",
  "https://metadata.google.internal/",
  "https://100.100.100.200/",
  "https://127.0.0.1:8069/",
  "https://10.0.0.5/",
  "https://odoo.rebound.example/", // a public-looking name whose DNS answer is private
];

/** The functions' DNS in these tests (FunctionDeps.resolve): one name resolving to a private address. */
const resolve = (host: string) =>
  host === "odoo.rebound.example"
    ? Promise.resolve(["93.184.215.14", "10.0.0.5"])
    : Promise.reject(new Error(`no such name ${host}`));

Deno.test("sync now against a metadata or private base_url: odoo_destination_refused, no request", async (t) => {
  await using w = await syncWorld([{}], { createHandler: crmHandler });
  const [org] = w.orgs;
  const spy = forbiddenFetch();
  let quarter = 0;
  for (const url of SPELLINGS) {
    await t.step(url, async () => {
      await w
        .sql`update public.integration_credentials set base_url = ${url} where org_id = ${org.id}`;
      // "Sync now" is keyed by the database's minute: each spelling gets its own by
      // removing the previous one's run (docs/fanout.md, "Sync now").
      await w.sql`delete from public.sync_runs where org_id = ${org.id}`;
      const at = new Date(Date.UTC(2026, 10, 23, 10, 15 * quarter++)).toISOString();
      const handler = w.handler({
        env: PRODUCTION,
        fetch: spy.fetch,
        resolve,
        sync: { odoo: { sleep: noSleep } },
      });
      const res = await handler(
        makeRequest({
          method: "POST",
          bearer: TEST_SERVICE_ROLE_KEY,
          json: { org_id: org.id, scheduled_for: at },
        }),
      );
      const body = await res.json();
      assert.equal(body.organizations[0].error, "odoo_destination_refused", JSON.stringify(body));
      const [state] = await w.sql`select last_error from public.sync_org_state
        where org_id = ${org.id} and job = 'crm'`;
      assert.equal(state.last_error, "odoo_destination_refused");
    });
  }
  assert.deepEqual(spy.urls, [], "nothing was sent anywhere");
  const failed = w.logs.events().filter((e) => e.event === "sync_org_failed");
  assert.ok(failed.every((e) => e.error === "odoo_destination_refused"));
  assert.ok(
    w.logs.events().some((e) => e.event === "odoo_destination_refused" && e.reason === "address"),
  );
  w.assertNoSecretsLogged();
});

Deno.test("an Odoo page over OUTBOUND_ODOO_MAX_BYTES: odoo_answer_too_large, no row stored", async () => {
  await using w = await syncWorld([{
    records: { "crm.lead": makeLeads(60, { start: new Date("2026-11-01T00:00:00Z") }) },
  }], {
    createHandler: crmHandler,
  });
  const [org] = w.orgs;
  const handler = w.handler({
    env: testAuthEnv({ OUTBOUND_ODOO_MAX_BYTES: "2048" }),
    sync: { odoo: { retries: 2, sleep: noSleep } },
  });
  const res = await handler(
    makeRequest({ method: "POST", bearer: TEST_SERVICE_ROLE_KEY, json: { org_id: org.id } }),
  );
  const body = await res.json();
  assert.equal(body.organizations[0].error, "odoo_answer_too_large", JSON.stringify(body));
  const [{ n }] = await w
    .sql`select count(*)::int as n from public.crm_leads where org_id = ${org.id}`;
  assert.equal(n, 0, "nothing partial is stored");
});

Deno.test("bot webhooks: refused destinations, redirects and oversized answers fail the run, nothing stored from them", async (t) => {
  await withBotDb(async ({ sql, org, receiver }) => {
    const big = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/echo") return new Response(`echo: Bearer ${ECHOED} ${"y".repeat(2000)}`);
      if (path === "/redirect") {
        return new Response(null, { status: 307, headers: { location: receiver.url("ok") } });
      }
      return new Response("x".repeat(200 * 1024));
    });
    const local = `http://127.0.0.1:${big.addr.port}`;
    const cases = [
      {
        name: "metadata (production)",
        url: "https://0xa9fea9fe/latest/meta-data/iam",
        env: PRODUCTION,
        error: "webhook_destination_refused",
        http: null,
      },
      {
        name: "ECS credentials (production)",
        url: "http://169.254.170.2/v2/credentials",
        env: PRODUCTION,
        error: "webhook_destination_refused",
        http: null,
      },
      {
        name: "metadata (development allowance)",
        url: "http://[fd00:ec2::254]/",
        env: testAuthEnv(),
        error: "webhook_destination_refused",
        http: null,
      },
      {
        name: "loopback (production)",
        url: receiver.url("ok"),
        env: PRODUCTION,
        error: "webhook_destination_refused",
        http: null,
      },
      {
        name: "a redirect is not followed",
        url: `${local}/redirect`,
        env: testAuthEnv(),
        error: "webhook_destination_refused",
        http: 307,
      },
      {
        name: "an answer over the limit",
        url: `${local}/big`,
        env: testAuthEnv(),
        error: "webhook_answer_too_large",
        http: 200,
      },
    ];
    try {
      for (const c of cases) {
        await t.step(c.name, async () => {
          const spy = c.env === PRODUCTION ? forbiddenFetch() : null;
          const bot = await newBot(sql, { org_id: org, webhook_url: c.url });
          const { logger, events } = captureLogs();
          const handler = executorHandler({
            sql,
            env: c.env,
            logger,
            ...(spy ? { fetch: spy.fetch } : {}),
          });
          const res = await handler(
            call("bot-executor", { bearer: TEST_SERVICE_ROLE_KEY, json: { bot_id: bot } }),
          );
          const body = await res.json();
          assert.equal(body.status, "failed", JSON.stringify(body));
          assert.equal(body.error, c.error);
          const [run] =
            await sql`select status, error, http_status, response_excerpt from public.bot_runs
            where bot_id = ${bot}`;
          assert.deepEqual({ ...run }, {
            status: "failed",
            error: c.error,
            http_status: c.http,
            response_excerpt: null,
          });
          assert.deepEqual(spy?.urls ?? [], []);
          const finished = events().find((e) => e.event === "bot_run_finished");
          assert.equal(finished?.error, c.error);
        });
      }
      assert.deepEqual(receiver.received, [], "the redirect target got nothing");
      await t.step("an allowed answer's excerpt: bounded, no key echoed", async () => {
        const bot = await newBot(sql, { org_id: org, webhook_url: `${local}/echo` });
        const handler = executorHandler({ sql, env: testAuthEnv(), logger: captureLogs().logger });
        await handler(
          call("bot-executor", { bearer: TEST_SERVICE_ROLE_KEY, json: { bot_id: bot } }),
        );
        const [run] = await sql`select status, response_excerpt from public.bot_runs
          where bot_id = ${bot}`;
        assert.equal(run.status, "succeeded");
        assert.ok(run.response_excerpt.startsWith("echo: Bearer eyJ…"), run.response_excerpt);
        assert.ok(!run.response_excerpt.includes(ECHOED.slice(-20)), "the token is not stored");
        assert.ok(run.response_excerpt.length <= 500 + 20);
      });
    } finally {
      await big.shutdown();
    }
  });
});

Deno.test("OUTBOUND_ALLOW_PRIVATE: warned once at start-up when on; a malformed setting is a 500 naming it", async () => {
  await withBotDb(async ({ sql }) => {
    const on = captureLogs();
    const handler = executorHandler({ sql, env: testAuthEnv(), logger: on.logger });
    for (let i = 0; i < 2; i++) {
      await handler(call("bot-executor", { bearer: TEST_SERVICE_ROLE_KEY, json: {} }));
    }
    assert.equal(on.events().filter((e) => e.event === "outbound_private_allowed").length, 1);
    const off = captureLogs();
    executorHandler({ sql, env: PRODUCTION, logger: off.logger });
    assert.equal(off.events().filter((e) => e.event === "outbound_private_allowed").length, 0);
    const bad = captureLogs();
    const broken = executorHandler({
      sql,
      env: testAuthEnv({ OUTBOUND_ALLOW_PRIVATE: "maybe" }),
      logger: bad.logger,
    });
    const res = await broken(call("bot-executor", { bearer: TEST_SERVICE_ROLE_KEY, json: {} }));
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: "server_misconfigured" });
    const named = bad.events().filter((e) =>
      JSON.stringify(e.missing_settings ?? []).includes("OUTBOUND_ALLOW_PRIVATE")
    );
    assert.ok(named.length >= 2, "named at start-up and on the request");
  });
});
