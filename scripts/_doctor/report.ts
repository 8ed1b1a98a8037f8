/**
 * Renders the doctor's findings: a fixed-width text table (errors first) or a
 * JSON document, and the exit code.
 */
import { type Finding, plural, type Severity } from "./types.ts";

const ORDER: Record<Severity, number> = { error: 0, warn: 1, info: 2, ok: 3 };
const MAX_SUBJECT = 36;

/** Counts per severity. */
export type Summary = Record<Severity, number>;

/**
 * Counts the findings per severity.
 *
 * @example
 * summarize(findings); // { error: 1, warn: 0, info: 1, ok: 7 }
 */
export function summarize(findings: readonly Finding[]): Summary {
  const s: Summary = { error: 0, warn: 0, info: 0, ok: 0 };
  for (const f of findings) s[f.severity]++;
  return s;
}

/**
 * 1 when any finding is an error, else 0.
 *
 * @example
 * Deno.exit(exitCode(findings));
 */
export function exitCode(findings: readonly Finding[]): number {
  return findings.some((f) => f.severity === "error") ? 1 : 0;
}

const fit = (text: string, width: number) =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);

/**
 * A fixed-width table: SEVERITY, FINDING, SUBJECT, DETAIL, with each fix on
 * the line below its finding; errors first, then warnings, info, ok; and a
 * summary line.
 *
 * @example
 * console.log(formatReport(await runDoctor(sql)));
 * // SEVERITY  FINDING            SUBJECT                    DETAIL
 * // error     cron_job_anon_key  odoo-crm-sync-incremental  sends a JWT (eyJ…) with role "anon" …
 * //           fix: run select public.edge_guard_schedule_jobs(); as postgres …
 */
export function formatReport(findings: readonly Finding[]): string {
  const rows = [...findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  const idWidth = Math.max(7, ...rows.map((f) => f.id.length));
  const subjectWidth = Math.min(MAX_SUBJECT, Math.max(7, ...rows.map((f) => f.subject.length)));
  const line = (sev: string, id: string, subject: string, detail: string) =>
    `${fit(sev, 8)}  ${fit(id, idWidth)}  ${fit(subject, subjectWidth)}  ${detail}`.trimEnd();
  const out = [line("SEVERITY", "FINDING", "SUBJECT", "DETAIL")];
  out.push(line("-".repeat(8), "-".repeat(idWidth), "-".repeat(subjectWidth), "-".repeat(6)));
  for (const f of rows) {
    out.push(line(f.severity, f.id, f.subject, f.detail));
    if (f.fix) out.push(`${" ".repeat(10)}fix: ${f.fix}`);
  }
  const s = summarize(findings);
  out.push(
    "",
    `${plural(s.error, "error")}, ${plural(s.warn, "warning")}, ${s.info} info, ${s.ok} ok`,
  );
  return out.join("\n");
}
