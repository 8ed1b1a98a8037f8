/**
 * The doctor's checks, in one read-only transaction: cron jobs, Vault secrets,
 * pg_net responses, cron run failures, the database watchdog's checks and
 * alerts; then the function environments.
 */
import postgres from "postgres";
import {
  callsFunction,
  type CronJob,
  cronJobFindings,
  dispatchTarget,
  loadJobs,
  vaultNames,
} from "./cron.ts";
import { runFailureFindings } from "./runs.ts";
import { cronSecretFindings } from "./cron_secret.ts";
import { envFindings } from "./env.ts";
import { hasLinkTable, httpFindings } from "./http.ts";
import { outboundDatabaseFindings, outboundEnvFindings } from "./outbound.ts";
import {
  type DoctorFindingId,
  type DoctorOptions,
  errorText,
  type Finding,
  finding,
  scrubber,
  type Sql,
} from "./types.ts";
import { loadVault, REQUIRED_SECRETS, vaultFindings } from "./vault.ts";
import { foldWatchdog, watchdogFindings } from "./watchdog.ts";

export type { DoctorOptions, Finding, FunctionEnv, Severity } from "./types.ts";

const DAY_MS = 86_400_000;

/** One doctor run: its inputs and what the checks have found so far. */
interface Run {
  options: DoctorOptions;
  now: Date;
  since: Date;
  findings: Finding[];
  jobs: CronJob[];
  vault: Map<string, string>;
  /** Blanks out every secret value the doctor has read (Vault, env files). */
  clean: (text: string) => string;
}

const SECRET_VAR = /KEY|SECRET|JWKS|PASSWORD|TOKEN|DB_URL/i;

/** Every secret value the doctor knows of: Vault values but project_url, secret-like env vars. */
function knownSecrets(options: DoctorOptions, vault: Map<string, string>): string[] {
  const fromEnv = (options.envs ?? []).flatMap((e) =>
    Object.entries(e.vars).filter(([name]) => SECRET_VAR.test(name)).map(([, v]) => v)
  );
  return [...fromEnv, ...[...vault].filter(([n]) => n !== "project_url").map(([, v]) => v)];
}

/**
 * Opens a client whose session is read-only (`default_transaction_read_only=on`
 * as a startup parameter), with one connection and no prepared statements.
 *
 * @param url a `postgres://` URL (`?sslmode=require` for a hosted project).
 * @param options `sessionReadOnly` (default true): send the startup parameter;
 *   false for a pooler that refuses it (`runDoctor` still reads in a
 *   `begin read only` transaction).
 * @example
 * const sql = connectReadOnly(url);
 * try { console.log(formatReport(await runDoctor(sql))); } finally { await sql.end(); }
 */
export function connectReadOnly(
  url: string,
  options: { sessionReadOnly?: boolean } = {},
): postgres.Sql {
  const readOnly = options.sessionReadOnly ?? true;
  return postgres(url, {
    max: 1,
    prepare: false,
    connect_timeout: 10,
    onnotice: () => {},
    connection: {
      application_name: "edge-guard-doctor",
      ...(readOnly ? { default_transaction_read_only: true } : {}),
    },
  });
}

function secretNeeds(jobs: CronJob[]): Map<string, string[]> {
  const needs = new Map<string, string[]>(REQUIRED_SECRETS.map((n) => [n, []]));
  // The sync jobs' tick reads both secrets itself (public.tick_odoo_sync).
  for (const job of jobs.filter((j) => callsFunction(j.command) || dispatchTarget(j.command))) {
    for (const name of new Set([...REQUIRED_SECRETS, ...vaultNames(job.command)])) {
      needs.set(name, [...(needs.get(name) ?? []), job.name]);
    }
  }
  return needs;
}

/** Runs one read in a savepoint; a failure becomes an `<id>` error finding. */
async function readPart<T>(
  tx: Sql,
  run: Run,
  part: { id: DoctorFindingId; subject: string; read: (s: Sql) => Promise<T> },
): Promise<T | undefined> {
  try {
    return await tx.savepoint((s) => part.read(s)) as T;
  } catch (err) {
    const fix = "connect as postgres (or grant it select on this) and run the doctor again";
    const detail = `cannot be read: ${errorText(err)}`;
    run.findings.push(finding(part.id, "error", part.subject, detail, fix));
    return undefined;
  }
}

async function databaseChecks(tx: Sql, run: Run) {
  const read = <T>(id: DoctorFindingId, subject: string, r: (s: Sql) => Promise<T>) =>
    readPart(tx, run, { id, subject, read: r });
  await tx`set local statement_timeout = '30s'`;
  run.jobs = await read("cron_not_readable", "cron.job", loadJobs) ?? [];
  const linkTable =
    await read("link_table_not_readable", "public.cron_http_requests", hasLinkTable) ?? false;
  const needs = secretNeeds(run.jobs);
  const vault = await read(
    "vault_not_readable",
    "vault.decrypted_secrets",
    (s) => loadVault(s, [...needs.keys()]),
  );
  const missingSecrets = vault === undefined ? [] : [...needs.keys()].filter((n) => !vault.has(n));
  run.findings.push(...cronJobFindings(run.jobs, { linkTable, missingSecrets }));
  if (vault !== undefined) {
    run.vault = vault;
    run.clean = scrubber(knownSecrets(run.options, vault));
    run.findings.push(...vaultFindings(vault, needs, run.now));
  }
  const http = await read(
    "net_not_readable",
    "net._http_response",
    (s) => httpFindings(s, run.since, linkTable),
  );
  const runs = await read(
    "cron_runs_not_readable",
    "cron.job_run_details",
    (s) => runFailureFindings(s, run.since, run.clean),
  );
  run.findings.push(...(http ?? []), ...(runs ?? []));
  const watchdog = await read(
    "watchdog_not_readable",
    "public.edge_guard_findings",
    (s) => watchdogFindings(s, run.now, linkTable),
  );
  run.findings = foldWatchdog(run.findings, watchdog ?? []);
  const outbound = await read(
    "outbound_settings_not_readable",
    "public.edge_guard_settings",
    outboundDatabaseFindings,
  );
  run.findings.push(...(outbound ?? []));
}

function environmentChecks({ options, vault, jobs }: Run): Finding[] {
  if (options.skipEnv) {
    return [finding("env_not_checked", "info", "env", "function environment skipped (--skip-env)")];
  }
  const envs = options.envs ?? [];
  if (envs.length === 0) {
    const fix = "pass --env-file [label=]path, or run where the functions run";
    return [finding("env_not_checked", "info", "env", "no function environment given", fix)];
  }
  const ctx = {
    vaultServiceKey: vault.get("service_role_key"),
    vaultProjectUrl: vault.get("project_url"),
  };
  const reasons = [
    ...jobs.filter((j) => /x-cron-secret/i.test(j.command))
      .map((j) => `cron job ${j.name} sends x-cron-secret`),
    ...(options.cronSecretInUse ? ["--cron-secret-in-use"] : []),
  ];
  return [
    ...envs.flatMap((e) => [...envFindings(e, ctx), ...outboundEnvFindings(e)]),
    ...cronSecretFindings(envs, reasons),
  ];
}

/**
 * Runs every check and returns the findings (never a secret value). All
 * database reads happen in one `begin read only` transaction; a part that
 * cannot be read becomes an error finding and the rest still runs.
 *
 * @param sql a client, ideally from {@linkcode connectReadOnly}.
 * @param options see {@linkcode DoctorOptions}.
 * @returns findings in check order.
 * @example
 * const findings = await runDoctor(sql, { sinceMs: 3_600_000, envs: [{ label: "functions", vars }] });
 * if (findings.some((f) => f.severity === "error")) Deno.exitCode = 1;
 */
export async function runDoctor(
  sql: postgres.Sql,
  options: DoctorOptions = {},
): Promise<Finding[]> {
  const now = (options.now ?? (() => new Date()))();
  const since = new Date(now.getTime() - (options.sinceMs ?? DAY_MS));
  const clean = scrubber(knownSecrets(options, new Map()));
  const run: Run = { options, now, since, findings: [], jobs: [], vault: new Map(), clean };
  try {
    await sql.begin("read only", (tx) => databaseChecks(tx, run));
  } catch (err) {
    const fix =
      "check --db-url (or EDGE_GUARD_DB_URL / SUPABASE_DB_URL) and that the database is up";
    run.findings.push(finding("db_unreachable", "error", "database", errorText(err), fix));
  }
  // A last net: no finding text may hold a value the doctor has read.
  return [...run.findings, ...environmentChecks(run)].map((f) => ({
    ...f,
    subject: run.clean(f.subject),
    detail: run.clean(f.detail),
    fix: run.clean(f.fix),
  }));
}
