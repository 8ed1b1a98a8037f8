import assert from "node:assert/strict";
Deno.test("test database is provided by the test command", () => {
  assert.match(Deno.env.get("TEST_DATABASE_URL") ?? "", /^postgres:\/\//);
});
