/**
 * Doctor checks on the outbound policy's development allowance
 * (docs/operations.md, "Outbound calls"): on in a function environment
 * (OUTBOUND_ALLOW_PRIVATE) or in the database (edge_guard_settings.outbound_allow_private),
 * it lets Odoo and bot webhooks reach loopback and private addresses over
 * plain http, which a production project must never allow.
 */
import { loadOutboundSettings } from "../../supabase/functions/_shared/outbound.ts";
import { type Finding, finding, type FunctionEnv, type Sql } from "./types.ts";

const quiet = () => {};

/**
 * Findings for one function environment: the allowance on (warn), a malformed
 * OUTBOUND_* setting (error: bot-executor and the syncs answer 500).
 *
 * @example
 * outboundEnvFindings({ label: "functions", vars: { OUTBOUND_ALLOW_PRIVATE: "true" } });
 */
export function outboundEnvFindings(env: FunctionEnv): Finding[] {
  const settings = loadOutboundSettings(
    { get: (name) => env.vars[name] },
    { logger: quiet, functionName: env.label },
  );
  const subject = `env:${env.label}`;
  const out = settings.invalid.map((name) =>
    finding(
      "env_outbound_setting_invalid",
      "error",
      subject,
      `${name} is malformed: bot-executor and the Odoo syncs answer 500 server_misconfigured`,
      "OUTBOUND_ALLOW_PRIVATE is true or false; OUTBOUND_*_MAX_BYTES are byte counts (1024 to 67108864)",
    )
  );
  if (settings.policy.allowPrivate) {
    out.push(finding(
      "env_outbound_allow_private",
      "warn",
      subject,
      "OUTBOUND_ALLOW_PRIVATE is on: Odoo base URLs and bot webhooks may reach loopback and " +
        "private addresses over plain http (local development only)",
      `unset OUTBOUND_ALLOW_PRIVATE for ${env.label} (supabase secrets unset OUTBOUND_ALLOW_PRIVATE)`,
    ));
  }
  return out;
}

/**
 * The database's allowance (the watchdog's copy of the policy); none before the migration.
 *
 * @example
 * const findings = await outboundDatabaseFindings(tx);
 */
export async function outboundDatabaseFindings(sql: Sql): Promise<Finding[]> {
  const [{ present }] = await sql<{ present: boolean }[]>`
    select exists (select 1 from pg_attribute a
      where a.attrelid = to_regclass('public.edge_guard_settings')
        and a.attname = 'outbound_allow_private' and not a.attisdropped) as present`;
  if (!present) return [];
  const rows = await sql<{ allowed: boolean }[]>`
    select s.outbound_allow_private as allowed from public.edge_guard_settings s limit 1`;
  if (!rows[0]?.allowed) return [];
  return [finding(
    "db_outbound_allow_private",
    "warn",
    "public.edge_guard_settings",
    "outbound_allow_private is on: the watchdog accepts loopback and private destinations " +
      "and plain http (local development only)",
    "update public.edge_guard_settings set outbound_allow_private = false;",
  )];
}
