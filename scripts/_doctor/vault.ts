/**
 * Doctor checks on the Vault secrets the cron jobs read: `project_url` and
 * `service_role_key` (plus any other name a job command reads). Values are
 * read to classify them and never leave this process.
 */
import { classifyKey, describeKey, isPublicKey, type KeyInfo } from "./keys.ts";
import { type DoctorFindingId, type Finding, finding, type Severity, type Sql } from "./types.ts";

/**
 * The secrets every edge-function cron job needs.
 *
 * @example
 * REQUIRED_SECRETS.includes("service_role_key"); // true
 */
export const REQUIRED_SECRETS: readonly string[] = ["project_url", "service_role_key"];

/**
 * Reads the named secrets from `vault.decrypted_secrets`.
 *
 * @returns name -> decrypted value, for the names that exist.
 * @example
 * const values = await loadVault(sql, ["project_url", "service_role_key"]);
 */
export async function loadVault(sql: Sql, names: readonly string[]): Promise<Map<string, string>> {
  const rows = await sql<{ name: string; value: string | null }[]>`
    select name, decrypted_secret as value from vault.decrypted_secrets
    where name = any(${names as string[]})`;
  return new Map(rows.map((r) => [r.name, r.value ?? ""]));
}

const updateFix = (name: string) =>
  `select vault.update_secret((select id from vault.secrets where name = '${name}'), '<value>');`;

function presenceFinding(name: string, jobs: string[], value: string | undefined): Finding[] {
  const users = jobs.length > 2
    ? `needed by ${jobs.length} cron jobs (${jobs[0]}, …)`
    : `needed by ${jobs.join(", ") || "the cron jobs"}`;
  if (value === undefined) {
    const effect = name === "project_url"
      ? "every run fails (null URL)"
      : "calls go out without a valid key";
    const fix = `select vault.create_secret('<value>', '${name}'); (SQL editor, as postgres)`;
    return [
      finding("vault_secret_missing", "error", name, `is not in Vault; ${users}: ${effect}`, fix),
    ];
  }
  if (value.trim() === "") {
    return [finding("vault_secret_empty", "error", name, `is empty; ${users}`, updateFix(name))];
  }
  return [];
}

function projectUrlFindings(raw: string): Finding[] {
  let url: URL | null = null;
  try {
    url = new URL(raw.trim());
  } catch { /* reported below */ }
  if (url === null || !/^https?:$/.test(url.protocol)) {
    const fix = "store https://<project-ref>.supabase.co: " + updateFix("project_url");
    return [
      finding("vault_project_url_invalid", "error", "project_url", "is not an http(s) URL", fix),
    ];
  }
  if (url.pathname === "/" && !raw.trim().endsWith("/")) return [];
  const detail = `has a path or a trailing slash (${url.origin}${url.pathname}); ` +
    "jobs append /functions/v1/<fn>";
  return [
    finding(
      "vault_project_url_path",
      "warn",
      "project_url",
      detail,
      `store just ${url.origin}: ${updateFix("project_url")}`,
    ),
  ];
}

/** The first rule that applies judges the Vault service key. */
const SERVICE_KEY_RULES: readonly {
  id: DoctorFindingId;
  severity: Severity;
  applies(key: KeyInfo, now: Date): boolean;
  says: string;
}[] = [{
  id: "vault_service_key_is_anon",
  severity: "error",
  applies: (k) => isPublicKey(k),
  says: "a public key, not a service key: every cron call is answered 401",
}, {
  id: "vault_service_key_wrong_role",
  severity: "error",
  applies: (k) => k.kind === "jwt" && k.role !== "service_role",
  says: 'a service key has role "service_role": the functions answer 401',
}, {
  id: "vault_service_key_expired",
  severity: "error",
  applies: (k, now) => k.kind === "jwt" && k.exp !== undefined && k.exp * 1000 < now.getTime(),
  says: "it has expired: the functions answer 401",
}, {
  id: "vault_service_key_unrecognized",
  severity: "warn",
  applies: (k) => k.kind === "unknown",
  says: "the functions accept a service_role JWT or an sb_secret_ key",
}];

function serviceKeyFindings(raw: string, now: Date): Finding[] {
  const key = classifyKey(raw);
  const rule = SERVICE_KEY_RULES.find((r) => r.applies(key, now));
  if (rule === undefined) return [];
  const detail = `holds ${describeKey(key)}; ${rule.says}`;
  const fix = "store the service role key (service_role JWT or sb_secret_…): " +
    updateFix("service_role_key");
  return [finding(rule.id, rule.severity, "service_role_key", detail, fix)];
}

/**
 * Findings for the Vault secrets: missing or empty ones (each named), a
 * malformed `project_url`, and a `service_role_key` that is not a service key
 * (judged by the JWT `role` claim or the `sb_` prefix).
 *
 * @param values from {@linkcode loadVault}.
 * @param needs secret name -> names of the jobs that read it.
 * @param now the clock, for JWT expiry.
 * @example
 * const findings = vaultFindings(values, new Map([["project_url", []]]), new Date());
 */
export function vaultFindings(
  values: Map<string, string>,
  needs: Map<string, string[]>,
  now: Date,
): Finding[] {
  const out = [...needs].flatMap(([name, jobs]) => presenceFinding(name, jobs, values.get(name)));
  const url = values.get("project_url");
  if (url?.trim()) out.push(...projectUrlFindings(url));
  const key = values.get("service_role_key");
  if (key?.trim()) out.push(...serviceKeyFindings(key, now));
  if (out.length > 0) return out;
  const kind = key === undefined ? "" : `; service_role_key holds ${describeKey(classifyKey(key))}`;
  return [
    finding("vault_secrets_ok", "ok", "vault", `${[...needs.keys()].join(", ")} exist${kind}`),
  ];
}
