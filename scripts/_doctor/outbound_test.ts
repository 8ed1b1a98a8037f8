/**
 * The doctor reports the outbound development allowance wherever it is on: a
 * function environment (OUTBOUND_ALLOW_PRIVATE) or the database's settings.
 */
import assert from "node:assert/strict";
import { outboundDatabaseFindings, outboundEnvFindings } from "./outbound.ts";
import { connect, testDatabaseUrl } from "../../tests/support/db.ts";
import type { Sql } from "./types.ts";

Deno.test("doctor: OUTBOUND_ALLOW_PRIVATE on is reported; off says nothing; malformed is an error", () => {
  const cases: [Record<string, string>, string[]][] = [
    [{}, []],
    [{ OUTBOUND_ALLOW_PRIVATE: "false" }, []],
    [{ OUTBOUND_ALLOW_PRIVATE: "true" }, ["warn:env_outbound_allow_private"]],
    [{ OUTBOUND_ALLOW_PRIVATE: "sure" }, ["error:env_outbound_setting_invalid"]],
    [{ OUTBOUND_WEBHOOK_MAX_BYTES: "12" }, ["error:env_outbound_setting_invalid"]],
  ];
  for (const [vars, ids] of cases) {
    const found = outboundEnvFindings({ label: "functions", vars });
    assert.deepEqual(found.map((f) => `${f.severity}:${f.id}`), ids, JSON.stringify(vars));
    assert.ok(found.every((f) => f.subject === "env:functions" && f.fix !== ""));
  }
});

Deno.test("doctor: the database's outbound_allow_private is reported when on", async () => {
  const sql = connect(await testDatabaseUrl());
  const seen: string[][] = [];
  const rollback = new Error("rollback");
  try {
    for (const allowed of [false, true]) {
      await sql.begin(async (tx) => {
        await tx`update public.edge_guard_settings set outbound_allow_private = ${allowed}`;
        const found = await outboundDatabaseFindings(tx as unknown as Sql);
        seen.push(found.map((f) => `${f.severity}:${f.id}`));
        throw rollback;
      }).catch((err) => assert.equal(err, rollback));
    }
    assert.deepEqual(seen, [[], ["warn:db_outbound_allow_private"]]);
  } finally {
    await sql.end();
  }
});
