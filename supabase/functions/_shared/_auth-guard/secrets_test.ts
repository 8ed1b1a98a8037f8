import assert from "node:assert/strict";
import { constantTimeEqual } from "./secrets.ts";

Deno.test("constantTimeEqual: equal only for the identical string", () => {
  const secret = "sb_secret_abcdefghijklmnopqrstuvwxyz";
  const cases: [string, string, boolean][] = [
    ["identical", secret, true],
    ["empty", "", false],
    ["prefix", secret.slice(0, -1), false],
    ["longer", `${secret}x`, false],
    ["last char differs", `${secret.slice(0, -1)}Z`, false],
    ["first char differs", `t${secret.slice(1)}`, false],
    ["same length, other value", "x".repeat(secret.length), false],
    ["NUL padded", `${secret}\u0000`, false],
  ];
  for (const [name, presented, expected] of cases) {
    assert.equal(constantTimeEqual(presented, secret), expected, name);
  }
  assert.equal(constantTimeEqual("", ""), true, "two empty strings");
});
