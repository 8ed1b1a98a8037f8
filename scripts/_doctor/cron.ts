/**
 * Doctor checks on `cron.job`: how each job that calls an edge function
 * authenticates, and other problems with such jobs.
 */
import { describeKey, isPublicKey, type KeyInfo, literalKeys } from "./keys.ts";
import { type DoctorFindingId, type Finding, finding, type Severity, type Sql } from "./types.ts";

/** A row of `cron.job`. */
export interface CronJob {
  /** `jobname`, or `jobid <n>` for an unnamed job. */
  name: string;
  command: string;
  active: boolean;
}

const CALLS_FUNCTION = /\/functions\/v1\/|\.functions\.supabase\.co/;
/**
 * The fix for every job problem: the one function that defines every cron job
 * (supabase/schemas/5000_cron_jobs.sql). It unschedules `postgres`'s
 * literal-key jobs and (re)schedules each job, reading the key from Vault.
 */
export const SCHEDULE_JOBS_SQL = "select public.edge_guard_schedule_jobs();";
const FIX_MIGRATION = `run ${SCHEDULE_JOBS_SQL} as postgres (SQL editor): it unschedules ` +
  "literal-key jobs and schedules every job, each reading the key from Vault";

/**
 * True when the command calls an edge function.
 *
 * @example
 * callsFunction("select net.http_post(url := ... || '/functions/v1/bot-scheduler', ...)"); // true
 */
export function callsFunction(command: string): boolean {
  return CALLS_FUNCTION.test(command);
}

const DISPATCH = /^\s*select\s+public\.tick_odoo_sync\('(crm|chatter)'\)\s*;?\s*$/i;

/**
 * The sync function a job reaches through the queue's SQL tick (which reads the
 * project URL and key from Vault itself), or null.
 *
 * @example
 * dispatchTarget("select public.tick_odoo_sync('crm');"); // "odoo-crm-sync"
 */
export function dispatchTarget(command: string): string | null {
  const m = command.match(DISPATCH);
  return m ? `odoo-${m[1]}-sync` : null;
}

/**
 * The edge function a command calls, as `/functions/v1/<name>`.
 *
 * @example
 * functionTarget("... '/functions/v1/odoo-crm-sync' ..."); // "/functions/v1/odoo-crm-sync"
 */
export function functionTarget(command: string): string {
  const m = command.match(/(?:\/functions\/v1\/|\.functions\.supabase\.co\/)([A-Za-z0-9_-]+)/);
  return m ? `/functions/v1/${m[1]}` : "an edge function";
}

/**
 * Vault secret names a command reads (`... decrypted_secrets where name = '<name>'`).
 *
 * @example
 * vaultNames(job.command); // ["project_url", "service_role_key"]
 */
export function vaultNames(command: string): string[] {
  const re = /decrypted_secrets\s+where\s+name\s*=\s*'([^']+)'/gi;
  return [...command.matchAll(re)].map((m) => m[1]);
}

/**
 * Reads `cron.job`.
 *
 * @example
 * const jobs = await loadJobs(sql);
 */
export async function loadJobs(sql: Sql): Promise<CronJob[]> {
  const rows = await sql<CronJob[]>`
    select coalesce(jobname, 'jobid ' || jobid) as name, command, active
    from cron.job order by 1`;
  return rows.map((r) => ({ name: r.name, command: r.command, active: r.active }));
}

function literalKeyFinding(job: CronJob, key: KeyInfo): Finding {
  const sends = `sends a literal key to ${functionTarget(job.command)}: ${describeKey(key)}`;
  const publicKey = isPublicKey(key);
  const id = publicKey
    ? (key.kind === "jwt" ? "cron_job_anon_key" : "cron_job_publishable_key")
    : (key.kind === "jwt" ? "cron_job_literal_jwt" : "cron_job_literal_secret_key");
  const detail = publicKey
    ? `${sends}, not a service key, so every call is answered 401`
    : `${sends}, readable by anyone who can read cron.job`;
  return finding(
    id,
    "error",
    job.name,
    detail,
    publicKey ? FIX_MIGRATION : `${FIX_MIGRATION}; then rotate that key`,
  );
}

/** True when the Authorization header's value (up to the next header name) reads Vault. */
function authorizationFromVault(command: string): boolean {
  const start = command.search(/authorization/i);
  const rest = command.slice(start + "authorization".length);
  const next = rest.search(/,\s*'[A-Za-z][A-Za-z0-9-]*'\s*,/);
  return /vault\.decrypted_secrets/.test(next === -1 ? rest : rest.slice(0, next));
}

/** A problem a job can have besides a literal key; every rule that applies is reported. */
interface JobRule {
  id: DoctorFindingId;
  severity: Severity;
  applies(job: CronJob, linkTable: boolean): boolean;
  detail(job: CronJob): string;
  fix: string;
  /** About the Authorization header: skipped when a literal key already explains it. */
  auth?: true;
}

const JOB_RULES: readonly JobRule[] = [{
  id: "cron_job_no_authorization",
  severity: "error",
  auth: true,
  applies: (j) => !/authorization/i.test(j.command),
  detail: (j) => `calls ${functionTarget(j.command)} without an Authorization header`,
  fix: FIX_MIGRATION,
}, {
  id: "cron_job_key_not_from_vault",
  severity: "error",
  auth: true,
  applies: (j) => /authorization/i.test(j.command) && !authorizationFromVault(j.command),
  detail: () => "sends an Authorization header that is not read from vault.decrypted_secrets",
  fix: FIX_MIGRATION,
}, {
  id: "cron_job_literal_cron_secret",
  severity: "error",
  applies: (j) => /x-cron-secret["']?\s*[,:]\s*['"][^'"(]/i.test(j.command),
  detail: () => "sends an x-cron-secret value written into its command",
  fix: "read it from Vault (vault.decrypted_secrets) and rotate CRON_SECRET",
}, {
  id: "cron_job_literal_url",
  severity: "warn",
  applies: (j) => /'https?:\/\//i.test(j.command),
  detail: () => "has the project URL written into its command",
  fix: FIX_MIGRATION,
}, {
  id: "cron_job_inactive",
  severity: "warn",
  applies: (j) => !j.active,
  detail: (j) => `is inactive: ${functionTarget(j.command)} is not being called`,
  fix: "select cron.alter_job(<jobid>, active := true) if it should run",
}, {
  id: "cron_job_not_recorded",
  severity: "warn",
  applies: (j, linkTable) => linkTable && !j.command.includes("cron_http_requests"),
  detail: () =>
    "does not record its requests in public.cron_http_requests, so its 401s cannot be attributed",
  fix: FIX_MIGRATION,
}];

function jobFindings(job: CronJob, linkTable: boolean): Finding[] {
  const keys = literalKeys(job.command);
  const rules = keys.length ? JOB_RULES.filter((r) => !r.auth) : JOB_RULES;
  return [
    ...keys.map((k) => literalKeyFinding(job, k)),
    ...rules.filter((r) => r.applies(job, linkTable))
      .map((r) => finding(r.id, r.severity, job.name, r.detail(job), r.fix)),
  ];
}

/**
 * Findings for every job that calls an edge function: literal keys (named by
 * kind and JWT role), keys not read from Vault, and hygiene problems.
 *
 * @param jobs from {@linkcode loadJobs}.
 * @param options `linkTable`: public.cron_http_requests exists (default false);
 *   `missingSecrets`: Vault secrets known to be missing (default none): a job
 *   that reads one is not described as using "the key from Vault".
 * @example
 * const findings = cronJobFindings(await loadJobs(sql), { linkTable: true });
 */
export function cronJobFindings(
  jobs: CronJob[],
  options: { linkTable?: boolean; missingSecrets?: readonly string[] } = {},
): Finding[] {
  const calling = jobs.filter((j) => callsFunction(j.command));
  const dispatching = jobs.filter((j) => dispatchTarget(j.command) !== null);
  const missingForTick = ["project_url", "service_role_key"].filter((n) =>
    options.missingSecrets?.includes(n)
  );
  const viaDispatcher = dispatching.map((job) =>
    missingForTick.length > 0
      ? finding(
        "cron_job_vault_secret_missing",
        "warn",
        job.name,
        `wakes workers of /functions/v1/${dispatchTarget(job.command)}, but ` +
          `${missingForTick.join(" and ")} ${
            missingForTick.length === 1 ? "is" : "are"
          } missing from Vault`,
        "see the vault_secret_missing finding",
      )
      : finding(
        "cron_job_ok",
        "ok",
        job.name,
        `wakes workers of /functions/v1/${dispatchTarget(job.command)} ` +
          "with the key from Vault (public.tick_odoo_sync, docs/fanout.md)",
      )
  );
  if (calling.length === 0 && dispatching.length > 0) return viaDispatcher;
  if (calling.length === 0) {
    return [
      finding(
        "cron_jobs_none",
        "warn",
        "cron.job",
        "no cron job calls an edge function",
        FIX_MIGRATION,
      ),
    ];
  }
  return [
    ...viaDispatcher,
    ...calling.flatMap((job) => {
      const found = jobFindings(job, options.linkTable ?? false);
      if (found.length > 0) return found;
      const missing = vaultNames(job.command).filter((n) => options.missingSecrets?.includes(n));
      if (missing.length > 0) {
        const names = missing.join(" and ");
        const detail = `calls ${functionTarget(job.command)} with Vault secrets, but ${names} ` +
          `${missing.length === 1 ? "is" : "are"} missing from Vault`;
        const fix = "see the vault_secret_missing finding";
        return [finding("cron_job_vault_secret_missing", "warn", job.name, detail, fix)];
      }
      const detail = `calls ${functionTarget(job.command)} with the key from Vault`;
      return [finding("cron_job_ok", "ok", job.name, detail)];
    }),
  ];
}
