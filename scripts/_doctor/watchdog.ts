/**
 * Doctor checks from the database watchdog: the same SQL checks the
 * `edge-guard-watchdog` cron job evaluates (`public.edge_guard_findings()`),
 * each shown with its alert (open since when, still firing or not), and
 * whether the watchdog job itself is scheduled. See docs/watchdog.md.
 */
import { type Finding, finding, type Sql } from "./types.ts";
import type { AlertCode } from "../../supabase/functions/_shared/error-catalogue.ts";

interface SqlFinding {
  // A database newer than this doctor may name a check it does not know: shown all the same.
  check_id: AlertCode;
  subject: string;
  severity: "error" | "warn";
  detail: string;
}

interface OpenAlert {
  check_id: string;
  subject: string;
  opened_at: Date;
  last_seen_at: Date;
}

// One fix per watchdog check: a check added to the catalogue without one does not compile.
const FIX: Readonly<Record<AlertCode, string>> = {
  cron_command_literal: "run select public.edge_guard_schedule_jobs(); (as the job's owner if " +
    "another role owns it), then rotate any service key that was in the command",
  cron_job_foreign_owner: "have that role unschedule its job (select cron.unschedule(<jobid>))",
  vault_secret_missing:
    "select vault.create_secret('<value>', '<name>'); (SQL editor, as postgres)",
  vault_secret_unusable:
    "select vault.update_secret((select id from vault.secrets where name = '<name>'), '<value>');",
  http_auth_rejected: "make the job send a key the function accepts (vault_ and env_ findings)",
  http_call_failed: "see the function's logs; select * from public.edge_guard_call_outcomes",
  cron_run_failed:
    "select * from cron.job_run_details where status = 'failed' order by start_time desc",
  org_sync_stale: "select * from public.sync_org_state where org_id = '<org>'; " +
    "select * from public.sync_queue_overview (workers, queue, parked)",
  org_sync_failing: "select * from public.sync_org_state where consecutive_failures > 0; " +
    "fix the org's Odoo credential (upsert_integration_credential) or its Odoo",
  org_sync_parked: "fix the org's Odoo credential (upsert_integration_credential makes it due " +
    "at once) or its Odoo; parked tenants are retried every parked_retry (6 hours)",
  org_sync_stalled: "select * from public.sync_cursors where stalled_runs > 0; see the " +
    "sync_org_finished / sync_org_failed log lines of that org (docs/odoo-sync.md)",
  sync_run_stuck: "the watchdog marks it failed on its next pass; see the function's logs",
  schedule_drift: "check pg_cron and pg_net load (cron.job_run_details, net.http_request_queue)",
  bot_keeps_failing: "check the bot's webhook (public.bot_runs.error)",
  outbound_destination_refused: "store an https URL of a public host for each named setting " +
    "(upsert_integration_credential's base_url, bots.webhook_url) or disable the bot",
};

const iso = (d: Date) => d.toISOString();

// The doctor's own findings that describe the same problem as a watchdog check
// (same subject: the job or the Vault secret). They say more (which kind of
// key, which HTTP codes), so the watchdog's row is folded into them.
const SAME_PROBLEM: Readonly<Partial<Record<string, RegExp>>> = {
  cron_command_literal: /^cron_job_(anon_key|publishable_key|literal_\w+)$/,
  vault_secret_missing: /^vault_secret_missing$/,
  vault_secret_unusable: /^vault_(secret_empty|project_url_\w+|service_key_\w+)$/,
  http_auth_rejected: /^http_auth_failures$/,
  http_call_failed: /^http_other_failures$/,
  cron_run_failed: /^cron_run_failures$/,
};

/** What the watchdog says of one of its findings: its alert, or that none is open yet. */
const ALERT_STATE = / \((alert open since [^()]*|no alert yet: [^()]*)\)$/;

/**
 * One row per problem: a watchdog finding about the same subject as one of the
 * doctor's own (see `SAME_PROBLEM`) is dropped, and its alert state ("alert
 * open since ...") is added to the doctor's row. Everything else is kept.
 *
 * @param own the doctor's findings from its own checks.
 * @param watchdog what {@linkcode watchdogFindings} returned.
 * @returns `own` (some details extended) followed by the watchdog rows left.
 * @example
 * const all = foldWatchdog(ownFindings, await watchdogFindings(tx, now));
 */
export function foldWatchdog(own: Finding[], watchdog: Finding[]): Finding[] {
  const out = own.map((f) => ({ ...f }));
  const left = watchdog.filter((w) => {
    const same = SAME_PROBLEM[w.id];
    const mine = same &&
      out.find((f) =>
        f.subject === w.subject && same.test(f.id) && f.severity !== "ok" && f.severity !== "info"
      );
    if (!mine) return true;
    const state = ALERT_STATE.exec(w.detail)?.[1] ?? "";
    mine.detail += ` (watchdog ${w.id}: ${state || "firing"})`;
    return false;
  });
  return [...out, ...left];
}

async function present(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ present: boolean }[]>`
    select to_regprocedure('public.edge_guard_findings(timestamptz)') is not null as present`;
  return row.present;
}

async function jobFinding(sql: Sql): Promise<Finding[]> {
  const rows = await sql<{ schedule: string; active: boolean }[]>`
    select schedule, active from cron.job where jobname = 'edge-guard-watchdog'`;
  if (rows.length > 0 && rows.every((r) => r.active)) return [];
  const detail = rows.length === 0
    ? "the edge-guard-watchdog cron job does not exist: nobody is alerted"
    : "the edge-guard-watchdog cron job is inactive: nobody is alerted";
  const fix = rows.length === 0
    ? "run select public.edge_guard_schedule_jobs(); as postgres (it defines every job)"
    : "select cron.alter_job(jobid, active := true) from cron.job " +
      "where jobname = 'edge-guard-watchdog';";
  return [finding("watchdog_job_inactive", "warn", "edge-guard-watchdog", detail, fix)];
}

/**
 * The watchdog's findings at `now` joined with its open alerts: a finding with
 * an open alert says since when it fires; an open alert whose problem is gone
 * is `info` (resolved on the watchdog's next pass); nothing wrong is `ok`.
 *
 * @param linkTable public.cron_http_requests exists (default true); without
 *   it the watchdog's checks cannot run.
 * @example
 * const findings = await watchdogFindings(tx, new Date());
 */
export async function watchdogFindings(
  sql: Sql,
  now: Date,
  linkTable = true,
): Promise<Finding[]> {
  const fix = "apply supabase/migrations/20261123000450_cron_http_requests.sql and " +
    "20261129000100_watchdog_tables.sql and the later ones";
  if (!(await present(sql))) {
    return [finding("watchdog_missing", "warn", "database", "the watchdog is not installed", fix)];
  }
  if (!linkTable) {
    const detail = "the watchdog cannot run: public.cron_http_requests is missing";
    return [finding("watchdog_missing", "warn", "database", detail, fix)];
  }
  const found = await sql<SqlFinding[]>`
    select check_id, subject, severity, detail from public.edge_guard_findings(${now})`;
  const open = await sql<OpenAlert[]>`
    select check_id, subject, opened_at, last_seen_at from public.edge_guard_alerts
    where resolved_at is null`;
  const key = (a: { check_id: string; subject: string }) => `${a.check_id}\u0000${a.subject}`;
  const alerts = new Map(open.map((a) => [key(a), a]));
  const out = found.map((f) => {
    const alert = alerts.get(key(f));
    const state = alert
      ? `alert open since ${iso(alert.opened_at)}, still firing`
      : "no alert yet: the watchdog opens one on its next pass";
    return finding(
      f.check_id,
      f.severity,
      f.subject,
      `${f.detail} (${state})`,
      FIX[f.check_id] ?? "",
    );
  });
  const firing = new Set(found.map(key));
  for (const a of open.filter((a) => !firing.has(key(a)))) {
    const detail = `alert ${a.check_id} open since ${iso(a.opened_at)} no longer fires ` +
      `(last seen ${iso(a.last_seen_at)}): the watchdog resolves it on its next pass`;
    out.push(finding("alert_clearing", "info", a.subject, detail));
  }
  out.push(...await jobFinding(sql));
  if (!out.some((f) => f.severity === "error" || f.severity === "warn")) {
    out.unshift(finding("watchdog_ok", "ok", "public.edge_guard_alerts", "no finding fires"));
  }
  return out;
}
