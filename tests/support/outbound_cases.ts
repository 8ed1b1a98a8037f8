/**
 * The destination table of the outbound policy (issue 21), shared by the
 * policy's test (supabase/functions/_shared/outbound_test.ts) and the check
 * that the SQL copy of it gives the same verdicts (tests/outbound_sql_test.ts).
 */
import type { Resolver } from "../../supabase/functions/_shared/outbound.ts";

/** A fake DNS: name -> addresses (what Deno.resolveDns would answer). */
export const fakeDns = (table: Record<string, string[]>): Resolver => (host) =>
  host in table ? Promise.resolve(table[host]) : Promise.reject(new Deno.errors.NotFound(host));

/** The names the table uses. */
export const FAKE_DNS: Resolver = fakeDns({
  "acme.odoo.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
  "hooks.example.com": ["203.0.114.7"],
  "rebind.example.com": ["93.184.215.14", "10.0.0.7"], // one bad address is enough
  "aaaa-private.example.com": ["2606:4700::1111", "fd12:3456::1"],
  "localhost": ["127.0.0.1", "::1"],
  "metadata.google.internal": ["169.254.169.254"],
  "odoo": ["10.0.0.8"],
});

/** A verdict: allowed, unresolvable, or refused with its reason (and address class). */
export type Expect = "allowed" | "unresolvable" | `refused:${string}`;

/** [url, production (no allowance), development (OUTBOUND_ALLOW_PRIVATE=true)]. */

export const DESTINATION_CASES: readonly [string, Expect, Expect][] = [
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
