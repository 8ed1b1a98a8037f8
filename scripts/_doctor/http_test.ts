/**
 * The doctor's reading of pg_net's responses against the shape the real worker
 * writes: `net._http_response.created` is when the worker began the batch that
 * sent the call (supabase/pg_net 0.20.5 src/worker.c: one transaction per batch;
 * sql/pg_net.sql: `created ... default now()`), so every call of one batch has
 * the same `created`, and the order of calls is the order of requests.
 */
import assert from "node:assert/strict";
import { httpFindings } from "./http.ts";
import { connect, testDatabaseUrl } from "../../tests/support/db.ts";

const JOB = "doctor-http-batch-test";

const ROLLBACK = new Error("rollback");

Deno.test("http findings: a job's latest call is its latest request, also within one pg_net batch", async () => {
  const sql = connect(await testDatabaseUrl());
  try {
    await sql.begin(async (tx) => {
      // The job called twice (a 401, then the fixed call that succeeded); pg_net
      // sent both in one batch, so both responses carry the batch's start time.
      await tx`insert into public.cron_http_requests (request_id, job_name, function_name, created_at)
        values (-9101, ${JOB}, ${JOB}, now() - interval '2 seconds'),
          (-9102, ${JOB}, ${JOB}, now() - interval '1 second')`;
      await tx`insert into net._http_response (id, status_code, created)
        values (-9101, 401, now() - interval '500 milliseconds')`;
      await tx`insert into net._http_response (id, status_code, created)
        values (-9102, 200, now() - interval '500 milliseconds')`;
      const findings = await httpFindings(tx, new Date(Date.now() - 60_000), true);
      const mine = findings.filter((f) => f.subject === JOB);
      assert.deepEqual(mine.map((f) => [f.id, f.severity]), [["http_auth_failures", "warn"]]);
      assert.match(mine[0].detail, /\(its latest call succeeded\)$/);
      throw ROLLBACK;
    }).catch((err) => {
      if (err !== ROLLBACK) throw err;
    });
  } finally {
    await sql.end();
  }
});
