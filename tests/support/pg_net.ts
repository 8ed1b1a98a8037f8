/**
 * Waiting on the real pg_net (supabase/pg_net 0.20.5), which delivers HTTP
 * from a PostgreSQL background worker: it wakes when a transaction that queued
 * a request commits, takes up to `pg_net.batch_size` rows of
 * `net.http_request_queue` in ONE transaction (their DELETE stays uncommitted,
 * so the rows stay visible meanwhile), sends them, inserts their
 * `net._http_response` rows, and commits the whole batch at once; then it
 * waits a second before the next batch (src/worker.c `pg_net_worker`). So a
 * queued request whose row is gone has its response visible.
 */
import type { Sql } from "./db.ts";
import { adminUrlFor } from "../../supabase/local/cluster.ts";
import { connect } from "./db.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until pg_net has answered every request queued so far (later ones are
 * not waited for); throws after `timeoutMs` (default 30 s).
 *
 * @returns the request ids that were waited for (their responses are visible).
 * @example
 * await sql`select net.http_get('http://127.0.0.1:8080/')`;
 * await awaitPgNet(sql);
 */
export async function awaitPgNet(sql: Sql, o: { timeoutMs?: number } = {}): Promise<string[]> {
  const queued = await sql<{ id: string }[]>`select id::text from net.http_request_queue`;
  if (queued.length === 0) return [];
  const mark = queued.reduce((m, r) => (BigInt(r.id) > m ? BigInt(r.id) : m), 0n).toString();
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    const [{ left }] = await sql<{ left: number }[]>`
      select count(*)::int as left from net.http_request_queue where id <= ${mark}::bigint`;
    if (left === 0) return queued.map((r) => r.id);
    await sleep(50);
  }
  throw new Error(`pg_net did not answer within ${o.timeoutMs ?? 30_000} ms (ids up to ${mark})`);
}

/**
 * Makes the real pg_net worker delete every stored response, as it does once
 * they are older than `pg_net.ttl` (src/core.c `delete_expired_responses`):
 * sets the TTL to one second (`ALTER SYSTEM`, as the superuser: only the
 * platform changes it on hosted), wakes the worker, waits until
 * `net._http_response` is empty, then restores the TTL.
 *
 * @param url the cluster's `postgres` URL.
 * @example
 * await expirePgNetResponses(stack.urls.db);
 */
export async function expirePgNetResponses(url: string, o: { timeoutMs?: number } = {}) {
  const admin = connect(adminUrlFor(url), { max: 1 });
  try {
    await admin`alter system set pg_net.ttl = '1 second'`;
    await admin`select pg_reload_conf()`;
    const deadline = Date.now() + (o.timeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      await sleep(1100);
      await admin`select net.wake()`;
      await sleep(200);
      const [{ n }] = await admin<
        { n: number }[]
      >`select count(*)::int as n from net._http_response`;
      if (n === 0) return;
    }
    throw new Error("pg_net did not delete its expired responses");
  } finally {
    await admin`alter system reset pg_net.ttl`;
    await admin`select pg_reload_conf()`;
    await admin.end();
  }
}
