import assert from "node:assert/strict";
import { parseTap, tapProblems } from "./tap.ts";

const cases: { name: string; tap: string; problems: RegExp[] }[] = [
  { name: "all ok", tap: "1..2\nok 1 - a\nok 2 - b\n", problems: [] },
  { name: "a failure", tap: "1..2\nok 1 - a\nnot ok 2 - b\n# Failed test 2\n", problems: [/b$/] },
  { name: "fewer than planned", tap: "1..3\nok 1\nok 2\n", problems: [/planned 3.*ran 2/] },
  { name: "more than planned", tap: "1..1\nok 1\nok 2\n", problems: [/planned 1.*ran 2/] },
  { name: "no plan", tap: "ok 1\n", problems: [/no plan/] },
  { name: "empty output", tap: "", problems: [/no plan/] },
  { name: "zero tests", tap: "1..0\n", problems: [/ran no tests/] },
  { name: "TODO failure is not a failure", tap: "1..1\nnot ok 1 - x # TODO later\n", problems: [] },
  { name: "noise is ignored", tap: "SET\n1..1\n\nok 1 - a\n", problems: [] },
];

for (const c of cases) {
  Deno.test(`tapProblems: ${c.name}`, () => {
    const problems = tapProblems(parseTap(c.tap));
    assert.equal(problems.length, c.problems.length, problems.join("; "));
    c.problems.forEach((re, i) => assert.match(problems[i], re));
  });
}
