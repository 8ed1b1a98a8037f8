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

/** A fake DNS: name -> addresses (what Deno.resolveDns would answer). */
const fakeDns = (table: Record<string, string[]>): Resolver => (host) =>
  host in table ? Promise.resolve(table[host]) : Promise.reject(new Deno.errors.NotFound(host));

const DNS = fakeDns({
  "acme.odoo.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
  "hooks.example.com": ["203.0.114.7"],
  "rebind.example.com": ["93.184.215.14", "10.0.0.7"], // one bad address is enough
  "aaaa-private.example.com": ["2606:4700::1111", "fd12:3456::1"],
  "localhost": ["127.0.0.1", "::1"],
  "metadata.google.internal": ["169.254.169.254"],
  "odoo": ["10.0.0.8"],
});

type Expect = "allowed" | "unresolvable" | `refused:${string}`;

// [url, production (no allowance), development (OUTBOUND_ALLOW_PRIVATE=true)]
const CASES: readonly [string, Expect, Expect][] = [
  // The cloud metadata address and the spellings URL parsing normalises to it.
  ["http://169.254.169.254/latest/meta-data/", "refused:scheme", "refused:address:metadata"],
  ["https://169.254.169.254/", "refused:address:metadata", "refused:address:metadata"],
  ["https://0xa9fea9fe/", "refused:address:metadata", "refused:address:metadata"],
  ["https://2852039166/", "refused:address:metadata", "refused:address:metadata"],
  ["https://0251.0376.0251.0376/", "refused:address:metadata", "refused:address:metadata"],
  ["https://169.254.43518/", "refused:address:metadata", "refused:address:metadata"],
  [
    "https://[::ffff:169.254.169.254]/",
    "refused:address:ipv4_mapped",
    "refused:address:ipv4_mapped",
  ],
  ["https://[fd00:ec2::254]/", "refused:address:metadata", "refused:address:metadata"],
  ["https://169.254.170.2/v2/credentials", "refused:address:metadata", "refused:address:metadata"],
  ["https://metadata.google.internal/", "refused:name", "refused:name"],
  ["https://100.100.100.200/", "refused:address:metadata", "refused:address:metadata"],
  // Loopback, private, and the other reserved ranges.
  ["https://127.0.0.1/", "refused:address:loopback", "allowed"],
  ["https://0x7f.1/", "refused:address:loopback", "allowed"],
  ["https://[::1]/", "refused:address:loopback", "allowed"],
  ["https://localhost/", "refused:name", "allowed"],
  ["https://odoo/", "refused:name", "allowed"],
  ["https://10.1.2.3/", "refused:address:private", "allowed"],
  ["https://172.16.0.1/", "refused:address:private", "allowed"],
  ["https://192.168.1.10/", "refused:address:private", "allowed"],
  ["https://[fc00::1]/", "refused:address:unique_local", "allowed"],
  ["https://100.64.0.1/", "refused:address:cgnat", "refused:address:cgnat"],
  ["https://169.254.1.1/", "refused:address:link_local", "refused:address:link_local"],
  ["https://[fe80::1]/", "refused:address:link_local", "refused:address:link_local"],
  ["https://0.0.0.0/", "refused:address:unspecified", "refused:address:unspecified"],
  ["https://[::]/", "refused:address:unspecified", "refused:address:unspecified"],
  ["https://[::127.0.0.1]/", "refused:address:ipv4_compatible", "refused:address:ipv4_compatible"],
  ["https://224.0.0.1/", "refused:address:multicast", "refused:address:multicast"],
  ["https://[ff02::1]/", "refused:address:multicast", "refused:address:multicast"],
  ["https://192.0.2.1/", "refused:address:documentation", "refused:address:documentation"],
  ["https://[2001:db8::1]/", "refused:address:documentation", "refused:address:documentation"],
  ["https://198.18.0.1/", "refused:address:benchmarking", "refused:address:benchmarking"],
  ["https://255.255.255.255/", "refused:address:reserved", "refused:address:reserved"],
  ["https://[64:ff9b::a9fe:a9fe]/", "refused:address:translated", "refused:address:translated"],
  ["https://[2002:a9fe:a9fe::1]/", "refused:address:translated", "refused:address:translated"],
  // Names: every resolved address must pass.
  ["https://rebind.example.com/", "refused:address:private", "allowed"],
  ["https://aaaa-private.example.com/", "refused:address:unique_local", "allowed"],
  ["https://acme.odoo.com/jsonrpc", "allowed", "allowed"],
  ["https://hooks.example.com./x", "allowed", "allowed"],
  ["https://8.8.8.8/", "allowed", "allowed"],
  ["https://[2606:4700:4700::1111]/", "allowed", "allowed"],
  ["http://acme.odoo.com/", "refused:scheme", "allowed"],
  ["ftp://acme.odoo.com/", "refused:scheme", "refused:scheme"],
  ["file:///etc/passwd", "refused:scheme", "refused:scheme"],
  ["not a url", "refused:bad_url", "refused:bad_url"],
  ["https://nowhere.example.com/", "unresolvable", "unresolvable"],
];

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
