/**
 * Doctor checks on pg_net responses: recent 401/403 answers, counted per cron
 * job through `public.cron_http_requests` (pg_net's `net._http_response` has no
 * URL column, so that link table is the only way to attribute a response).
 */
import { type Finding, finding, plural, type Sql } from "./types.ts";

const AUTH_FIX = "make the job send a key the function accepts: see the vault_ and env_ " +
  "findings; the function's log names each rejection reason";
const UNATTRIBUTED_FIX = "find the caller in cron.job (a hand-made job with a literal key?) " +
  "and run select public.edge_guard_schedule_jobs(); as postgres";

interface JobRow {
  job_name: string;
  function_name: string;
  responses: number;
  s401: number;
  s403: number;
  other: number;
  last_auth: Date | null;
  /** Status of the job's latest answered call (null: timeout or error). */
  latest: number | null;
}

interface LooseRow {
  s401: number;
  s403: number;
  last_auth: Date | null;
  /** The latest attributed call answered below 400, if any. */
  last_ok: Date | null;
}

/**
 * True when `public.cron_http_requests` exists.
 *
 * @example
 * const linkTable = await hasLinkTable(tx);
 */
export async function hasLinkTable(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ present: boolean }[]>`
    select to_regclass('public.cron_http_requests') is not null as present`;
  return row.present;
}

/**
 * Per job, in the order the calls were made (`cron_http_requests.created_at`,
 * then the request id): pg_net's `created` is when its worker began the batch
 * that sent a call (supabase/pg_net src/worker.c), the same for every call of
 * a batch, so it cannot say which call of a batch came last.
 */
function perJob(sql: Sql, since: Date) {
  return sql<JobRow[]>`
    select c.job_name, c.function_name, count(*)::int as responses,
      count(*) filter (where r.status_code = 401)::int as s401,
      count(*) filter (where r.status_code = 403)::int as s403,
      count(*) filter (where r.timed_out or r.error_msg is not null
        or r.status_code >= 500)::int as other,
      max(c.created_at) filter (where r.status_code in (401, 403)) as last_auth,
      (array_agg(r.status_code order by c.created_at desc, r.id desc))[1] as latest
    from net._http_response r join public.cron_http_requests c on c.request_id = r.id
    where r.created >= ${since}
    group by 1, 2 order by 1, 2`;
}

async function unattributed(sql: Sql, since: Date, linkTable: boolean): Promise<LooseRow> {
  const linked = linkTable
    ? sql`and not exists (select 1 from public.cron_http_requests c where c.request_id = r.id)`
    : sql``;
  const lastOk = linkTable
    ? sql`(select max(o.created) from net._http_response o
        join public.cron_http_requests c on c.request_id = o.id where o.status_code < 400)`
    : sql`null::timestamptz`;
  const [row] = await sql<LooseRow[]>`
    select count(*) filter (where r.status_code = 401)::int as s401,
      count(*) filter (where r.status_code = 403)::int as s403,
      max(r.created) as last_auth, ${lastOk} as last_ok
    from net._http_response r
    where r.created >= ${since} and r.status_code in (401, 403) ${linked}`;
  return row;
}

const statuses = (r: { s401: number; s403: number }) =>
  [r.s401 ? `401 ×${r.s401}` : "", r.s403 ? `403 ×${r.s403}` : ""].filter(Boolean).join(", ");

function jobFindings(rows: JobRow[]): Finding[] {
  return rows.flatMap((r) => {
    const out: Finding[] = [];
    const target = `/functions/v1/${r.function_name}`;
    if (r.s401 + r.s403 > 0) {
      // The latest call decides: after a fix, one good call turns this into a warning.
      const firing = r.latest === 401 || r.latest === 403;
      const detail = `${r.s401 + r.s403} of ${plural(r.responses, "response")} from ${target} ` +
        `${r.s401 + r.s403 === 1 ? "was" : "were"} ${statuses(r)}, last at ` +
        `${r.last_auth?.toISOString()}${firing ? "" : " (its latest call succeeded)"}`;
      out.push(
        finding("http_auth_failures", firing ? "error" : "warn", r.job_name, detail, AUTH_FIX),
      );
    }
    if (r.other > 0) {
      const detail = `${r.other} of ${plural(r.responses, "call")} to ${target} timed out, ` +
        "failed or got a 5xx";
      const fix =
        "see select * from net._http_response where status_code >= 500 or error_msg is not null";
      out.push(finding("http_other_failures", "warn", r.job_name, detail, fix));
    }
    return out;
  });
}

function unattributedFinding(loose: LooseRow, since: Date): Finding {
  const n = loose.s401 + loose.s403;
  const detail = `${plural(n, "response")} (${statuses(loose)}) since ${since.toISOString()} ` +
    `${n === 1 ? "is" : "are"} not linked to any cron job, last at ` +
    `${loose.last_auth?.toISOString()}`;
  const subject = "net._http_response";
  // Calls our jobs made after the last 401/403 succeed: the cause is gone.
  const since_ok = loose.last_ok !== null && loose.last_auth !== null &&
    loose.last_ok > loose.last_auth;
  const severity = since_ok ? "warn" : "error";
  const note = since_ok ? "; cron calls since then succeed" : "";
  return finding(
    "http_auth_failures_unattributed",
    severity,
    subject,
    detail + note,
    UNATTRIBUTED_FIX,
  );
}

/**
 * Findings for pg_net responses since `since`: 401/403 per cron job
 * (`http_auth_failures`), other failures per job, 401/403 that no job can be
 * tied to (`http_auth_failures_unattributed`), and a warning when the link
 * table is missing (then every 401/403 is unattributed).
 *
 * @example
 * const findings = await httpFindings(sql, since, await hasLinkTable(sql));
 */
export async function httpFindings(sql: Sql, since: Date, linkTable: boolean): Promise<Finding[]> {
  const out: Finding[] = [];
  const rows = linkTable ? await perJob(sql, since) : [];
  if (!linkTable) {
    const detail = "does not exist: 401/403 responses cannot be tied to cron jobs";
    const fix =
      "apply supabase/migrations/ (it creates the table, then schedules the jobs that fill it)";
    out.push(
      finding("cron_http_requests_missing", "warn", "public.cron_http_requests", detail, fix),
    );
  }
  out.push(...jobFindings(rows));
  const loose = await unattributed(sql, since, linkTable);
  if (loose.s401 + loose.s403 > 0) out.push(unattributedFinding(loose, since));
  if (!out.some((f) => f.id.startsWith("http_auth_failures"))) {
    const total = rows.reduce((n, r) => n + r.responses, 0);
    const detail = `${plural(total, "response")} to cron function calls since ` +
      `${since.toISOString()}, none 401/403`;
    out.push(finding("http_auth_ok", "ok", "net._http_response", detail));
  }
  return out;
}
