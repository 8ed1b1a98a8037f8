/**
 * Fixtures for the bot and SLA function tests: a webhook receiver on
 * 127.0.0.1, rows (organisations, bots, leads, policies), requests with
 * credentials, in-process wiring of bot-scheduler to bot-executor, and a
 * "no secret in the logs" check, and a stand-in for bot-executor.
 */
import assert from "node:assert/strict";
import type { JSONValue } from "postgres";
import { connect, resetAppData, type Sql, testDatabaseUrl } from "./db.ts";
import { TEST_SECRETS } from "./tokens.ts";
import { windows } from "./guard_harness.ts";

/** One request the receiver got. */
export interface Received {
  path: string;
  headers: Headers;
  body: string;
}

/** A webhook receiver: `/ok` 200, `/fail` 500, `/slow` answers only at `close()`. */
export interface Receiver {
  url(path: "ok" | "fail" | "slow"): string;
  received: Received[];
  close(): Promise<void>;
}

/**
 * Starts a webhook receiver on 127.0.0.1 (port 0). Always `await close()`.
 *
 * @example
 * const receiver = await startReceiver();
 * try { await fetch(receiver.url("ok"), { method: "POST" }); } finally { await receiver.close(); }
 */
export function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    received.push({ path, headers: req.headers, body: await req.text() });
    if (path === "/fail") return new Response("boom: upstream exploded", { status: 500 });
    // Answers only when the receiver closes; the caller's timeout fires first.
    if (path === "/slow") {
      await released;
      return new Response("too late");
    }
    return Response.json({ ok: true, received: path });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  return Promise.resolve({
    url: (path) => `${base}/${path}`,
    received,
    close: async () => {
      release();
      await server.shutdown();
    },
  });
}

/**
 * A URL on 127.0.0.1 where nothing listens (connection refused).
 *
 * @example
 * const url = closedPortUrl(); // http://127.0.0.1:<free port>/hook
 */
export function closedPortUrl(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return `http://127.0.0.1:${port}/hook`;
}

/**
 * Inserts an organisation; returns its (random) id.
 *
 * @example
 * const org = await newOrg(sql);
 */
export async function newOrg(sql: Sql, name = "Test org"): Promise<string> {
  const [row] = await sql`insert into public.organizations (name) values (${name}) returning id`;
  return row.id;
}

/** Columns of a test bot; everything but org_id and webhook_url has a default. */
export interface BotSpec {
  org_id: string;
  webhook_url: string;
  name?: string;
  enabled?: boolean;
  interval_minutes?: number;
  next_run_at?: Date;
  payload?: Record<string, unknown>;
  timeout_ms?: number;
}

/**
 * Inserts a bot; returns its id.
 *
 * @example
 * const bot = await newBot(sql, { org_id: org, webhook_url: receiver.url("ok") });
 */
export async function newBot(sql: Sql, spec: BotSpec): Promise<string> {
  const row = {
    name: `bot-${crypto.randomUUID()}`,
    enabled: true,
    interval_minutes: 60,
    next_run_at: new Date(),
    payload: {},
    timeout_ms: 2000,
    ...spec,
  };
  const payload = sql.json(row.payload as JSONValue);
  const [{ id }] = await sql`
    insert into public.bots
      (org_id, name, enabled, interval_minutes, next_run_at, webhook_url, payload, timeout_ms)
    values (${row.org_id}, ${row.name}, ${row.enabled}, ${row.interval_minutes},
      ${row.next_run_at}, ${row.webhook_url}, ${payload}, ${row.timeout_ms})
    returning id`;
  return id;
}

/** Credentials and body of a test request. */
export interface CallSpec {
  bearer?: string;
  cronSecret?: string;
  json?: unknown;
  query?: Record<string, string>;
}

/**
 * A POST to `/functions/v1/<fn>` with the given credentials and JSON body.
 *
 * @example
 * const res = await handler(call("bot-executor", { bearer: TEST_SERVICE_ROLE_KEY, json: { bot_id } }));
 */
export function call(fn: string, spec: CallSpec = {}): Request {
  const url = new URL(`http://127.0.0.1:54321/functions/v1/${fn}`);
  for (const [k, v] of Object.entries(spec.query ?? {})) url.searchParams.set(k, v);
  const headers = new Headers({ "Content-Type": "application/json" });
  if (spec.bearer !== undefined) headers.set("Authorization", `Bearer ${spec.bearer}`);
  if (spec.cronSecret !== undefined) headers.set("x-cron-secret", spec.cronSecret);
  return new Request(url, { method: "POST", headers, body: JSON.stringify(spec.json ?? {}) });
}

/**
 * A fetch that hands requests for bot-executor's URL to `handler` in-process
 * (any other URL goes to the real fetch), recording each executor request.
 *
 * @example
 * const wired = executorFetch(createExecutorHandler({ sql, env }));
 * createSchedulerHandler({ sql, env, fetch: wired.fetch });
 */
export function executorFetch(handler: (req: Request) => Promise<Response>) {
  const requests: Request[] = [];
  const fetchFn: typeof fetch = (input, init) => {
    const req = new Request(input, init);
    if (!req.url.endsWith("/functions/v1/bot-executor")) return fetch(req);
    requests.push(req.clone());
    return handler(req);
  };
  return { fetch: fetchFn, requests };
}

/**
 * Asserts that no test secret (nor any 16-character piece of one) is in the log lines.
 *
 * @example
 * assertNoSecrets(capture.lines);
 */
export function assertNoSecrets(lines: readonly string[], extra: readonly string[] = []): void {
  const text = lines.join("\n");
  for (const secret of [...TEST_SECRETS, ...extra]) {
    for (const piece of windows(secret)) {
      assert.ok(!text.includes(piece), "a secret (or part of one) was logged");
    }
  }
}

/** What {@linkcode withBotDb} hands a test: a client on a reset database, a receiver, an org. */
export interface BotDb {
  sql: Sql;
  receiver: Receiver;
  org: string;
}

/**
 * Runs `fn` with a fresh client (app tables reset), a started webhook receiver
 * and a new organisation; stops them all afterwards.
 *
 * @example
 * Deno.test("x", () => withBotDb(async ({ sql, receiver, org }) => { ... }));
 */
export async function withBotDb(fn: (db: BotDb) => Promise<void>): Promise<void> {
  const sql = connect(await testDatabaseUrl());
  const receiver = await startReceiver();
  try {
    await resetAppData(sql);
    await fn({ sql, receiver, org: await newOrg(sql) });
  } finally {
    await receiver.close();
    await sql.end();
  }
}

/** How the stand-in executor answers one bot; `signal` is the scheduler's timeout. */
export type ExecutorReply = (botId: string, signal: AbortSignal) => Response | Promise<Response>;

/** One call the stand-in executor received. */
export interface ExecutorCall {
  url: string;
  headers: Headers;
  body: Record<string, string>;
}

const ranOk: ExecutorReply = () => Response.json({ status: "succeeded", run_id: 1 });

/**
 * A stand-in for bot-executor, to inject as bot-scheduler's `fetch`: records
 * each call, waits `delayMs`, answers with `reply` (default: succeeded).
 *
 * @example
 * const executor = fakeExecutor(() => Response.json({ error: "invalid_token" }, { status: 401 }));
 * createHandler({ sql, env, fetch: executor.fetch });
 */
export function fakeExecutor(reply: ExecutorReply = ranOk, delayMs = 0) {
  const calls: ExecutorCall[] = [];
  let inFlight = 0, maxInFlight = 0;
  const fetchFn: typeof fetch = async (input, init) => {
    const req = new Request(input, init);
    const body = await req.json();
    calls.push({ url: req.url, headers: req.headers, body });
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    try {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      return await reply(body.bot_id, req.signal);
    } finally {
      inFlight--;
    }
  };
  return { fetch: fetchFn, calls, maxInFlight: () => maxInFlight };
}
