/**
 * Issue 11: CORS for real browsers. Every header supabase-js 2.x may send is
 * allowed (its own `corsHeaders` export is the reference, plus functions-js's
 * `x-region`), `x-cron-secret` too, and `WWW-Authenticate` is exposed; the
 * preflight answers with these headers.
 */
import assert from "node:assert/strict";
import { corsHeaders as supabaseCors } from "npm:@supabase/supabase-js@2.119.1/cors";
import { corsHeaders } from "./http.ts";
import { loadAuthConfig, withAuth } from "./auth-guard.ts";
import { testAuthEnv } from "../../../tests/support/tokens.ts";

const list = (value: string | null | undefined) =>
  (value ?? "").split(",").map((h) => h.trim().toLowerCase()).filter((h) => h !== "");
const allowed = list(corsHeaders["Access-Control-Allow-Headers"]);

const REQUIRED: [string, string][] = [
  ...list(supabaseCors["Access-Control-Allow-Headers"]).map((h): [string, string] => [
    "supabase-js corsHeaders",
    h,
  ]),
  ["trace propagation", "traceparent"],
  ["trace propagation", "tracestate"],
  ["trace propagation", "baggage"],
  ["functions-js region", "x-region"],
  ["pg_cron callers", "x-cron-secret"],
];

for (const [source, header] of REQUIRED) {
  Deno.test(`cors: allows ${header} (${source})`, () => {
    assert.ok(allowed.includes(header), header);
  });
}

Deno.test("cors: exposes WWW-Authenticate and allows POST", () => {
  assert.deepEqual(list(corsHeaders["Access-Control-Expose-Headers"]), ["www-authenticate"]);
  assert.ok(list(corsHeaders["Access-Control-Allow-Methods"]).includes("post"));
});

Deno.test("cors: the preflight and a 401 carry these headers", async () => {
  const wrapped = withAuth(() => new Response("no"), {
    config: loadAuthConfig(testAuthEnv()),
    logger: () => {},
  });
  const url = "http://localhost/functions/v1/fn";
  for (const method of ["OPTIONS", "POST"]) {
    const res = await wrapped(new Request(url, { method }));
    await res.body?.cancel();
    assert.deepEqual(list(res.headers.get("Access-Control-Allow-Headers")), allowed);
    assert.equal(res.headers.get("Access-Control-Expose-Headers"), "WWW-Authenticate");
  }
});
