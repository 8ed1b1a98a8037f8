/**
 * Issue 22: the hosted limits, each a gateway setting, tested with small
 * values (the memory one with the hosted 256 MB): a function that sleeps past
 * the request idle timeout (504) or the wall clock (546, its background work
 * stopped too), one that allocates past 256 MB and one that spins past the
 * CPU time (546 WORKER_LIMIT, the platform's body). And `EdgeRuntime.waitUntil`:
 * the response goes out at once, the background work finishes after it.
 */
import assert from "node:assert/strict";
import { eventually, functionsSandbox } from "./support/functions_dir.ts";

const WORKER_LIMIT = {
  code: "WORKER_LIMIT",
  message: "Function failed due to not having enough compute resources (please check logs)",
};

const SLEEPY = `Deno.serve(async () => {
  await new Promise((r) => setTimeout(r, 5000));
  return new Response("late");
});`;
const HOG = `Deno.serve(() => {
  const keep = [];
  for (let i = 0; ; i++) keep.push(Array.from({ length: 1000 }, (_, j) => "s" + i + "-" + j));
});`;
const SPIN = `Deno.serve(() => {
  const end = Date.now() + 20000;
  while (Date.now() < end) { /* busy */ }
  return new Response("done");
});`;
const BACKGROUND = `Deno.serve((req) => {
  const { to, delay } = Object.fromEntries(new URL(req.url).searchParams);
  const work = new Promise((r) => setTimeout(r, Number(delay))).then(() => fetch(to, { method: "POST" }));
  EdgeRuntime.waitUntil(work.then((res) => res.body?.cancel()));
  return new Response("accepted", { status: 202 });
});`;

/** A receiver of the background calls: `hits` are ms after `since`. */
function receiver() {
  const hits: number[] = [];
  let since = performance.now();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    hits.push(performance.now() - since);
    return new Response("ok");
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    hits,
    mark: () => (since = performance.now()),
    close: () => server.shutdown(),
  };
}

async function answer(res: Response) {
  return { status: res.status, body: await res.json() };
}

Deno.test("limits: no response within the request idle timeout -> 504", async () => {
  const box = await functionsSandbox({ sleepy: SLEEPY }, {
    limits: { requestIdleTimeoutMs: 1000 },
  });
  try {
    const started = performance.now();
    const res = await box.call("sleepy");
    assert.equal(res.status, 504);
    assert.equal((await res.json()).code, "GATEWAY_TIMEOUT");
    assert.ok(performance.now() - started < 4000, "answered at the timeout, not after the sleep");
  } finally {
    await box.close();
  }
});

Deno.test("limits: the wall clock stops the isolate -> 546, background work stopped too", async () => {
  const rx = receiver();
  const box = await functionsSandbox({ sleepy: SLEEPY, background: BACKGROUND }, {
    limits: { wallClockMs: 2000 },
  });
  try {
    const bg = await box.call(`background?delay=3500&to=${encodeURIComponent(rx.url)}`);
    assert.equal(bg.status, 202);
    await bg.body?.cancel();
    assert.deepEqual(await answer(await box.call("sleepy")), { status: 546, body: WORKER_LIMIT });
    const stopped = box.events().filter((e) => e.event === "function_worker_limit");
    assert.ok(stopped.some((e) => e.reason === "Wall clock limit reached"));
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(rx.hits, [], "the background work died with its isolate");
  } finally {
    await box.close();
    await rx.close();
  }
});

Deno.test("limits: a function allocating past 256 MB (the hosted default) -> 546 WORKER_LIMIT", async () => {
  const box = await functionsSandbox({ hog: HOG }, { limits: { cpuTimeMs: 60_000 } });
  try {
    assert.deepEqual(await answer(await box.call("hog")), { status: 546, body: WORKER_LIMIT });
    const stopped = box.events().filter((e) => e.event === "function_worker_limit");
    assert.deepEqual(stopped.map((e) => e.reason), ["Memory limit exceeded"]);
  } finally {
    await box.close();
  }
});

Deno.test("limits: CPU time per request over the setting -> 546", async () => {
  const box = await functionsSandbox({ spin: SPIN }, { limits: { cpuTimeMs: 1000 } });
  try {
    const started = performance.now();
    assert.deepEqual(await answer(await box.call("spin")), { status: 546, body: WORKER_LIMIT });
    assert.ok(performance.now() - started < 15_000, "stopped at the limit, not after the spin");
    const stopped = box.events().filter((e) => e.event === "function_worker_limit");
    assert.deepEqual(stopped.map((e) => e.reason), ["CPU Time exceeded"]);
  } finally {
    await box.close();
  }
});

Deno.test("EdgeRuntime.waitUntil: the response goes out at once, the work finishes after it", async () => {
  const rx = receiver();
  const box = await functionsSandbox({ background: BACKGROUND });
  try {
    rx.mark();
    const res = await box.call(`background?delay=500&to=${encodeURIComponent(rx.url)}`);
    const answeredAfter = performance.now();
    assert.equal(res.status, 202);
    assert.equal(await res.text(), "accepted");
    assert.deepEqual(rx.hits, [], "answered before the background work ran");
    await eventually("the background call", 3000, () => Promise.resolve(rx.hits.length === 1));
    assert.ok(rx.hits[0] >= 500 && rx.hits[0] < answeredAfter + 3000);
  } finally {
    await box.close();
    await rx.close();
  }
});

Deno.test("EdgeRuntime.waitUntil: a save starts a new isolate; the old one finishes its background work", async () => {
  const rx = receiver();
  const box = await functionsSandbox({ background: BACKGROUND });
  try {
    const res = await box.call(`background?delay=2000&to=${encodeURIComponent(rx.url)}`);
    assert.equal(res.status, 202);
    await res.body?.cancel();
    await box.write("background", `${BACKGROUND}\n// saved again\n`);
    await eventually(
      "the background call of the old isolate",
      6000,
      () => Promise.resolve(rx.hits.length === 1),
    );
  } finally {
    await box.close();
    await rx.close();
  }
});
