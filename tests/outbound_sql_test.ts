/**
 * The SQL copy of the destination policy (edge_guard.outbound_refusal, used by
 * the watchdog and its webhook) gives the functions' verdict for every row of
 * the destination table that needs no DNS; a DNS name is left to the
 * functions, which resolve it at every call (SQL cannot). Real PostgreSQL.
 */
import assert from "node:assert/strict";
import { classifyAddress } from "../supabase/functions/_shared/outbound.ts";
import { connect, testDatabaseUrl } from "./support/db.ts";
import { DESTINATION_CASES, type Expect } from "./support/outbound_cases.ts";

/** What SQL can know: a verdict that came from DNS is "allowed" to it. */
function staticVerdict(url: string, verdict: Expect): string | null {
  let dnsName = false;
  try {
    dnsName = classifyAddress(new URL(url).hostname) === null;
  } catch { /* not a URL */ }
  const fromDns = verdict === "unresolvable" || verdict.startsWith("refused:address:") ||
    verdict === "allowed";
  if (dnsName && fromDns) return null;
  return verdict === "allowed" ? null : verdict.slice("refused:".length);
}

Deno.test("edge_guard.outbound_refusal agrees with the functions' policy, row by row", async () => {
  const sql = connect(await testDatabaseUrl());
  try {
    for (const [url, production, development] of DESTINATION_CASES) {
      const [row] = await sql`select edge_guard.outbound_refusal(${url}, false) as prod,
        edge_guard.outbound_refusal(${url}, true) as dev`;
      assert.equal(row.prod, staticVerdict(url, production), `${url} (production)`);
      assert.equal(row.dev, staticVerdict(url, development), `${url} (development)`);
    }
  } finally {
    await sql.end();
  }
});
