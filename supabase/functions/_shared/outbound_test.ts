/**
 * The outbound policy, table-driven: every spelling of a metadata, loopback or
 * private address is refused before any request; public names are allowed;
 * the development allowance opens loopback, private and http, and nothing else.
 * Then a redirect that is never followed, and an oversized answer cut at the
 * limit without being read whole.
 */
import assert from "node:assert/strict";
import {
  checkDestination,
  classifyAddress,
  fetchWithTimeout,
  loadOutboundSettings,
  outboundPolicy,
  type Resolver,
} from "./outbound.ts";
import { captureLogs } from "../../../tests/support/guard_harness.ts";
import {
  DESTINATION_CASES as CASES,
  type Expect,
  FAKE_DNS as DNS,
} from "../../../tests/support/outbound_cases.ts";

async function verdict(url: string, allowPrivate: boolean): Promise<Expect> {
  const check = await checkDestination(url, outboundPolicy({ allowPrivate, resolve: DNS }));
  if (check.allowed) return "allowed";
  if ("unresolvable" in check) return "unresolvable";
  const r = check.refusal;
  return r.reason === "address" ? `refused:address:${r.addressClass}` : `refused:${r.reason}`;
}

Deno.test("destination policy: production and development verdicts, one row per spelling", async (t) => {
  for (const [url, production, development] of CASES) {
    await t.step(url, async () => {
      assert.equal(await verdict(url, false), production, "production");
      assert.equal(await verdict(url, true), development, "OUTBOUND_ALLOW_PRIVATE=true");
    });
  }
});

Deno.test("a refused destination is never requested; the name is resolved again on every call", async () => {
  let fetched = 0;
  const spy: typeof fetch = () => (fetched++, Promise.resolve(new Response("secret")));
  let answer = ["93.184.215.14"];
  let lookups = 0;
  const resolve: Resolver = (host, o) =>
    host === "hook.example.com" ? (lookups++, Promise.resolve(answer)) : DNS(host, o);
  const policy = outboundPolicy({ resolve });
  const init = { method: "POST", body: "{}" };
  for (const url of CASES.filter((c) => c[1].startsWith("refused")).map((c) => c[0])) {
    const r = await fetchWithTimeout(url, { fetch: spy, init, timeoutMs: 1000, policy });
    assert.equal(r.ok, false, url);
    assert.equal(!r.ok && r.failure, "destination_refused", url);
  }
  assert.equal(fetched, 0);
  // DNS rebinding between runs: the allow decision of the first call is not reused.
  const first = await fetchWithTimeout("https://hook.example.com/", {
    fetch: spy,
    init,
    timeoutMs: 1000,
    policy,
  });
  answer = ["169.254.169.254"];
  const second = await fetchWithTimeout("https://hook.example.com/", {
    fetch: spy,
    init,
    timeoutMs: 1000,
    policy,
  });
  assert.equal(first.ok, true);
  assert.equal(!second.ok && second.failure, "destination_refused");
  assert.equal(fetched, 1);
  assert.ok(lookups >= 2);
});

Deno.test("classifyAddress: parses what DNS answers, rejects what is not an address", () => {
  const cases: [string, string | null][] = [
    ["93.184.215.14", "public"],
    ["::ffff:a9fe:a9fe", "ipv4_mapped"],
    ["fd00:ec2:0:0:0:0:0:254", "metadata"],
    ["2606:4700::1111", "public"],
    ["256.1.1.1", null],
    ["1.2.3", null],
    ["::1::2", null],
    ["example.com", null],
  ];
  for (const [ip, cls] of cases) assert.equal(classifyAddress(ip), cls, ip);
});

Deno.test("settings: allowance off by default, warned about once when on, malformed ones named", () => {
  const env = (vars: Record<string, string>) => ({ get: (n: string) => vars[n] });
  const { logger, events } = captureLogs();
  const off = loadOutboundSettings(env({}), { logger, functionName: "f" });
  assert.equal(off.policy.allowPrivate, false);
  assert.equal(off.odooMaxBytes, 16 * 1024 * 1024);
  assert.equal(off.webhookMaxBytes, 64 * 1024);
  assert.equal(events().length, 0);
  const on = loadOutboundSettings(env({ OUTBOUND_ALLOW_PRIVATE: "true" }), {
    logger,
    functionName: "f",
  });
  assert.equal(on.policy.allowPrivate, true);
  assert.deepEqual(events().map((e) => [e.level, e.event, e.setting]), [
    ["warn", "outbound_private_allowed", "OUTBOUND_ALLOW_PRIVATE"],
  ]);
  const bad = loadOutboundSettings(
    env({
      OUTBOUND_ALLOW_PRIVATE: "yes",
      OUTBOUND_ODOO_MAX_BYTES: "lots",
      OUTBOUND_WEBHOOK_MAX_BYTES: "2048",
    }),
    { logger, functionName: "f" },
  );
  assert.deepEqual(bad.invalid, ["OUTBOUND_ALLOW_PRIVATE", "OUTBOUND_ODOO_MAX_BYTES"]);
  assert.equal(bad.policy.allowPrivate, false);
  assert.equal(bad.webhookMaxBytes, 2048);
});
