/**
 * Every pg_cron job is defined once, by public.edge_guard_schedule_jobs()
 * (docs/database.md, "Cron jobs"): no other migration or schema file calls
 * `cron.schedule`, and re-running any migration on its own, after all of
 * them, leaves `cron.job` exactly as it was. (Before issue 23, re-running
 * `..._cron_jobs.sql`, the doctor's advice, turned the sync jobs back into
 * direct 15-minute calls.) Each re-run is a psql session inside a transaction
 * that is rolled back, against the shared test database, so it leaves no trace.
 */
import assert from "node:assert/strict";
import { connect, testDatabaseUrl } from "../../tests/support/db.ts";

const root = new URL("../", import.meta.url).pathname;
const sqlIn = (dir: string) =>
  [...Deno.readDirSync(`${root}${dir}`)].map((e) => e.name).filter((n) => n.endsWith(".sql"))
    .sort().map((n) => `${dir}/${n}`);
const DEFINER = "public.edge_guard_schedule_jobs";
const JOBS = `select coalesce(json_agg(json_build_object('jobname', jobname,
  'schedule', schedule, 'command', command, 'active', active, 'username', username)
  order by jobname, jobid), '[]')::text as jobs from cron.job`;
const MARK = "@@cron.job@@";

/** `cron.job` as the migration `file` leaves it, run once more inside a rolled-back transaction. */
async function jobsAfterRerun(url: string, file: string): Promise<unknown> {
  const out = await new Deno.Command("psql", {
    args: [
      url,
      "-X",
      "-q",
      "-A",
      "-t",
      "-v",
      "ON_ERROR_STOP=1",
      "-c",
      "begin",
      "-f",
      `${root}${file}`,
    ]
      .concat([
        "-c",
        `select '${MARK}' || jobs from (${JOBS}) s`,
      ])
      .concat(["-c", "rollback"]),
    env: { PGOPTIONS: "--client-min-messages=error" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.ok(out.success, `${file}: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(text.slice(text.indexOf(MARK) + MARK.length));
}

Deno.test("only edge_guard_schedule_jobs() calls cron.schedule, in the migrations and the schemas", () => {
  const scheduling = [...sqlIn("migrations"), ...sqlIn("schemas")].filter((f) =>
    /cron\.schedule\s*\(/i.test(Deno.readTextFileSync(`${root}${f}`))
  );
  for (const f of scheduling) {
    const text = Deno.readTextFileSync(`${root}${f}`);
    const defines = new RegExp(
      `create (or replace )?function ${DEFINER.replace(".", "\\.")}\\(`,
      "i",
    );
    assert.match(text, defines, `${f} schedules a job outside ${DEFINER}()`);
    const outside = text.replace(/\$\$[\s\S]*?\n\$\$|\$_\$[\s\S]*?\n\$_\$/g, "");
    assert.doesNotMatch(outside, /cron\.schedule\s*\(/i, `${f} calls cron.schedule outside a body`);
  }
  // A migration that changes a job redefines the function (docs/database.md), so there may be several.
  assert.ok(scheduling.some((f) => f.startsWith("migrations/")), scheduling.join());
});

Deno.test("re-running any migration alone, after all of them, changes no cron job", async () => {
  const url = await testDatabaseUrl();
  const sql = connect(url, { max: 1 });
  try {
    const before = JSON.parse((await sql.unsafe(JOBS))[0].jobs);
    assert.ok(before.length >= 6, `the jobs are scheduled: ${JSON.stringify(before)}`);
    for (const file of sqlIn("migrations")) {
      assert.deepEqual(
        await jobsAfterRerun(url, file),
        before,
        `cron.job after re-running ${file}`,
      );
    }
  } finally {
    await sql.end();
  }
});
