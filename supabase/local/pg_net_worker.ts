/**
 * Delivery worker for the local pg_net stand-in (`supabase/local/40_pg_net.sql`).
 * Local stack and tests only: on Supabase the real pg_net background worker
 * does this job.
 *
 * It works in batches as the real worker does (supabase/pg_net v0.20.4,
 * src/worker.c, the inner loop of `pg_net_worker`): claim up to
 * `pg_net.batch_size` rows (GUC default 200) from `net.http_request_queue`
 * (src/core.c `consume_request_queue`: DELETE ... RETURNING over a
 * `FOR UPDATE SKIP LOCKED` selection), send them all at once (curl multi
 * handle there, `Promise.all` here), each with its own timeout, record every
 * outcome in `net._http_response` under the request's id (real columns:
 * status_code, content_type, headers, content, timed_out, error_msg, created)
 * in the batch's one transaction, so the responses become visible together
 * when the slowest request of the batch is done; then wait one second
 * (`WORKER_WAIT_ONE_SECOND`) before the next batch, and sleep while the queue
 * is empty.
 * As the real worker (src/core.c), an empty body is stored as NULL, and each
 * round first deletes up to `batchSize` responses older than the TTL
 * (`pg_net.ttl`, default 6 hours).
 */
import postgres from "postgres";
import { log as defaultLog, type Logger } from "../functions/_shared/log.ts";

/** A postgres.js client. */
export type Sql = postgres.Sql;

/** Options for {@linkcode deliverQueued}. */
export interface DeliverOptions {
  /** HTTP client. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Clock for `net._http_response.created`. Default: `() => new Date()`. */
  now?: () => Date;
  /** Most requests claimed and sent at once, and expired responses deleted per round. Default: 200 (pg_net's `pg_net.batch_size`). */
  batchSize?: number;
  /** Responses older than this many ms are deleted, like `pg_net.ttl`. Default: 6 hours. */
  ttlMs?: number;
}

const DEFAULT_TTL_MS = 6 * 3_600_000;
const DEFAULT_BATCH = 200;

/**
 * Deletes up to `batchSize` responses older than `ttlMs`, oldest first, as
 * pg_net's delete_expired_responses does.
 *
 * @returns how many were deleted.
 * @example
 * await deleteExpired(sql, { ttlMs: 60_000 });
 */
export async function deleteExpired(
  sql: Sql,
  options: Pick<DeliverOptions, "ttlMs" | "batchSize" | "now"> = {},
): Promise<number> {
  const now = (options.now ?? (() => new Date()))();
  const cutoff = new Date(now.getTime() - (options.ttlMs ?? DEFAULT_TTL_MS));
  const rows = await sql`
    with expired as (
      select ctid from net._http_response where created < ${cutoff}
      order by created limit ${options.batchSize ?? DEFAULT_BATCH})
    delete from net._http_response r using expired where r.ctid = expired.ctid
    returning r.id`;
  return rows.length;
}

interface QueuedRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string> | null;
  body: Uint8Array | null;
  timeout_milliseconds: number;
}

interface ResponseRow {
  id: string;
  status_code: number | null;
  content_type: string | null;
  headers: Record<string, string> | null;
  content: string | null;
  timed_out: boolean;
  error_msg: string | null;
}

function failure(id: string, timedOut: boolean, message: string): ResponseRow {
  return {
    id,
    status_code: null,
    content_type: null,
    headers: null,
    content: null,
    timed_out: timedOut,
    error_msg: message,
  };
}

async function send(req: QueuedRequest, fetchFn: typeof fetch): Promise<ResponseRow> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, req.timeout_milliseconds);
  try {
    const res = await fetchFn(req.url, {
      method: req.method.toUpperCase(),
      headers: req.headers ?? {},
      // bytea arrives as a Buffer; copy it into a plain ArrayBuffer-backed view.
      body: req.body === null ? undefined : new Uint8Array(req.body),
      signal: controller.signal,
    });
    // The timeout also covers reading the body, as with curl's total timeout.
    const content = await res.text();
    return {
      id: req.id,
      status_code: res.status,
      content_type: res.headers.get("content-type"),
      headers: Object.fromEntries(res.headers),
      content: content === "" ? null : content,
      timed_out: false,
      error_msg: null,
    };
  } catch (err) {
    if (timedOut) {
      return failure(req.id, true, `Timeout of ${req.timeout_milliseconds} ms reached`);
    }
    const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return failure(req.id, false, text.slice(0, 1000));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends every queued request once (up to `batchSize`) and records the responses.
 *
 * @param sql a postgres.js client with rights on the `net` schema.
 * @param options see {@linkcode DeliverOptions}.
 * @returns how many requests were claimed.
 * @example
 * const sent = await deliverQueued(sql);
 */
export async function deliverQueued(sql: Sql, options: DeliverOptions = {}): Promise<number> {
  const fetchFn = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  await deleteExpired(sql, options);
  const rows = await sql<QueuedRequest[]>`
    delete from net.http_request_queue
    where id in (
      select id from net.http_request_queue order by id
      limit ${options.batchSize ?? DEFAULT_BATCH} for update skip locked)
    returning id::text as id, method::text as method, url, headers, body, timeout_milliseconds`;
  if (rows.length === 0) return 0;
  const results = await Promise.all(rows.map((r) => send(r, fetchFn)));
  const created = now();
  const json = JSON.stringify(results.map((r) => ({ ...r, created })));
  await sql`
    insert into net._http_response
      (id, status_code, content_type, headers, content, timed_out, error_msg, created)
    select r.id::bigint, r.status_code, r.content_type, r.headers, r.content, r.timed_out,
      r.error_msg, r.created
    from jsonb_to_recordset(${json}::text::jsonb) as r(id text, status_code integer,
      content_type text, headers jsonb, content text, timed_out boolean, error_msg text,
      created timestamptz)`;
  return rows.length;
}

/** Sleeps `ms` in short steps, returning early once `stopped()`. */
async function pause(ms: number, stopped: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!stopped() && Date.now() < until) {
    await new Promise((r) => setTimeout(r, Math.min(50, until - Date.now())));
  }
}

/** Options for {@linkcode startNetWorker}. */
export interface NetWorkerOptions extends DeliverOptions {
  /** Pause between polls of an empty queue, in ms. Default: 250. */
  intervalMs?: number;
  /** Pause after a non-empty batch, in ms. Default: 1000, as the real worker's `WORKER_WAIT_ONE_SECOND`. */
  batchPauseMs?: number;
  /** Structured logger for delivery errors. Default: the console logger. */
  log?: Logger;
}

/** A running worker. */
export interface NetWorker {
  /** Stops polling, waits for the current batch, closes its own connection. */
  stop(): Promise<void>;
}

/**
 * Polls the queue and delivers requests until stopped.
 *
 * @param target a database URL (the worker opens and closes its own client) or
 *   an existing postgres.js client (left open on stop).
 * @param options see {@linkcode NetWorkerOptions}.
 * @returns a {@linkcode NetWorker}.
 * @example
 * const worker = startNetWorker(Deno.env.get("DATABASE_URL")!);
 * // ...
 * await worker.stop();
 */
export function startNetWorker(target: string | Sql, options: NetWorkerOptions = {}): NetWorker {
  const owned = typeof target === "string";
  const sql = typeof target === "string"
    ? postgres(target, { max: 1, onnotice: () => {} })
    : target;
  const log = options.log ?? defaultLog;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    try {
      while (!stopped && await deliverQueued(sql, options) > 0) {
        await pause(options.batchPauseMs ?? 1000, () => stopped);
      }
    } catch (err) {
      log("error", "pg_net_worker_poll_failed", {
        error: err instanceof Error ? err.message : String(err),
      });
    }
    if (!stopped) timer = setTimeout(() => (running = tick()), options.intervalMs ?? 250);
  };
  running = tick();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      // Bounded: when PostgreSQL is already shutting down, postgres.js may wait
      // for a 'close' event that never comes; after 2 s it destroys the socket.
      if (owned) await sql.end({ timeout: 2 });
    },
  };
}
