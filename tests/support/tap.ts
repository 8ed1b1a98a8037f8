/**
 * A small TAP (Test Anything Protocol) reader for pgTAP output as printed by
 * `psql -t -A` (one row per line). Lines that are not TAP are ignored.
 */

/** What a TAP stream said. */
export interface TapSummary {
  /** The `1..N` plan, or null when none was printed. */
  planned: number | null;
  /** Test lines seen (`ok` and `not ok`). */
  ran: number;
  /** The `not ok` lines (without a `# TODO` directive). */
  failures: string[];
  /** Diagnostic lines (`# ...`). */
  diagnostics: string[];
}

/**
 * Parses TAP text.
 *
 * @param output the text, one TAP line per line.
 * @returns a {@linkcode TapSummary}.
 * @example
 * parseTap("1..1\nok 1 - works\n").ran; // 1
 */
export function parseTap(output: string): TapSummary {
  const summary: TapSummary = { planned: null, ran: 0, failures: [], diagnostics: [] };
  for (const raw of output.split("\n")) {
    const line = raw.trimEnd();
    const plan = line.match(/^1\.\.(\d+)/);
    if (plan) {
      summary.planned = Number(plan[1]);
    } else if (/^not ok\b/.test(line)) {
      summary.ran++;
      if (!/#\s*TODO\b/i.test(line)) summary.failures.push(line);
    } else if (/^ok\b/.test(line)) {
      summary.ran++;
    } else if (line.startsWith("#")) {
      summary.diagnostics.push(line);
    }
  }
  return summary;
}

/**
 * Why a TAP run failed: failed tests, a missing plan, or a plan/count mismatch.
 *
 * @param summary from {@linkcode parseTap}.
 * @returns human-readable problems; empty when the run passed.
 * @example
 * tapProblems(parseTap("1..2\nok 1\n")); // ["planned 2 tests but ran 1"]
 */
export function tapProblems(summary: TapSummary): string[] {
  const problems = summary.failures.map((f) => `failed: ${f}`);
  if (summary.planned === null) problems.push("no plan (1..N) was printed");
  else if (summary.planned !== summary.ran) {
    problems.push(`planned ${summary.planned} tests but ran ${summary.ran}`);
  }
  if (summary.planned === 0 && summary.ran === 0) problems.push("the suite ran no tests");
  return problems;
}
