/**
 * The worker's request parsing and background hand-off (worker.ts). The
 * worker loop itself runs against the database in tests/odoo_sync_queue_test.ts.
 */
import assert from "node:assert/strict";
import { inBackground, parseWorkerBody } from "./worker.ts";
import type { RequestBody } from "../auth-guard.ts";

const json = (value: unknown): RequestBody => ({ kind: "json", value } as RequestBody);

Deno.test("parseWorkerBody: the tick's worker_id, an operator's worker: true, anything else is not a worker call", () => {
  const cases: [string, RequestBody, ReturnType<typeof parseWorkerBody>][] = [
    ["tick wake-up", json({ worker_id: 42 }), { workerId: 42 }],
    ["operator", json({ worker: true }), { workerId: null }],
    ["a sync body", json({ mode: "incremental" }), null],
    ["worker_id 0", json({ worker_id: 0 }), null],
    ["worker_id as text", json({ worker_id: "42" }), null],
    ["worker_id fractional", json({ worker_id: 1.5 }), null],
    ["worker: 'yes'", json({ worker: "yes" }), null],
    ["empty body", { kind: "empty" } as RequestBody, null],
    ["array", json([1]), null],
  ];
  for (const [name, body, want] of cases) assert.deepEqual(parseWorkerBody(body), want, name);
});

Deno.test("inBackground hands the work to the given waitUntil, not to the caller", async () => {
  const handed: Promise<unknown>[] = [];
  let finished = false;
  const work = new Promise<void>((r) => setTimeout(r, 10)).then(() => {
    finished = true;
  });
  inBackground(work, (p) => handed.push(p));
  assert.deepEqual([handed.length, finished], [1, false], "returned before the work finished");
  await handed[0];
  assert.equal(finished, true);
});
