/**
 * Doctor check on `cron.job_run_details`: recent failed runs, per job.
 */
import { type Finding, finding, redact, type Sql } from "./types.ts";

interface RunRow {
  job: string;
  failed: number;
  runs: number;
  latest: string;
  message: string | null;
  last_failed: Date;
}

/**
 * Failed runs in `cron.job_run_details` since `since`, one finding per job:
 * an error unless the job's latest run succeeded, then a warning.
 *
 * @param clean scrubs a run's message before it is shortened. Default {@linkcode redact}.
 * @example
 * const findings = await runFailureFindings(sql, new Date(Date.now() - 86_400_000));
 */
export async function runFailureFindings(
  sql: Sql,
  since: Date,
  clean: (text: string) => string = redact,
): Promise<Finding[]> {
  const rows = await sql<RunRow[]>`
    select coalesce(j.jobname, 'jobid ' || d.jobid) as job,
      count(*) filter (where d.status = 'failed')::int as failed, count(*)::int as runs,
      (array_agg(d.status order by d.start_time desc))[1] as latest,
      (array_agg(d.return_message order by d.start_time desc)
        filter (where d.status = 'failed'))[1] as message,
      max(d.start_time) filter (where d.status = 'failed') as last_failed
    from cron.job_run_details d left join cron.job j on j.jobid = d.jobid
    where d.start_time >= ${since}
    group by 1 having count(*) filter (where d.status = 'failed') > 0 order by 1`;
  if (rows.length === 0) {
    return [
      finding(
        "cron_runs_ok",
        "ok",
        "cron.job_run_details",
        `no failed runs since ${since.toISOString()}`,
      ),
    ];
  }
  return rows.map((r) => {
    const message = clean((r.message ?? "").replace(/\s+/g, " ").trim()).slice(0, 120);
    const recovered = r.latest === "succeeded";
    const detail = `${r.failed} of ${r.runs} runs failed, last at ${r.last_failed.toISOString()}` +
      `${recovered ? " (latest run succeeded)" : ""}: ${message || "no message"}`;
    return finding(
      "cron_run_failures",
      recovered ? "warn" : "error",
      r.job,
      detail,
      "fix the cause in the message; see select * from cron.job_run_details order by start_time desc",
    );
  });
}
