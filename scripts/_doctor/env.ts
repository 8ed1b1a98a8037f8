/**
 * Doctor checks on a function environment (the variables an edge function
 * runs with): what the auth guard needs, and whether the key in Vault is one
 * the functions accept. Variables are read by name; values are never printed.
 */
import { loadAuthConfig } from "../../supabase/functions/_shared/auth-guard.ts";
import { classifyKey, isPublicKey, sameSecret } from "./keys.ts";
import { type DoctorFindingId, type Finding, finding, type FunctionEnv } from "./types.ts";

/** What the database checks learned that the environment checks compare against. */
export interface EnvContext {
  /** Vault `service_role_key`, when it could be read. */
  vaultServiceKey?: string;
  /** Vault `project_url`, when it could be read. */
  vaultProjectUrl?: string;
}

const setFix = (label: string, name: string) =>
  `set ${name} for ${label} (supabase secrets set ${name}=...; locally in the env file)`;

/**
 * The values of SUPABASE_SECRET_KEYS (none when unset), or null when it is not
 * a JSON object of non-empty strings.
 *
 * @example
 * secretKeyValues('{"default":"sb_secret_abc"}'); // ["sb_secret_abc"]
 */
export function secretKeyValues(raw: string | undefined): string[] | null {
  if (raw === undefined || raw.trim() === "") return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return null;
    const values = Object.values(parsed);
    return values.every((v) => typeof v === "string" && v !== "") ? values as string[] : null;
  } catch {
    return null;
  }
}

type Get = (name: string) => string | undefined;

/**
 * Required-setting checks. `settings` are not re-reported by the guard check;
 * the first is the one the fix names.
 */
const REQUIRED: readonly {
  id: DoctorFindingId;
  settings: readonly string[];
  missing(v: Get): boolean;
  detail: string;
}[] = [{
  id: "env_supabase_url_missing",
  settings: ["SUPABASE_URL"],
  missing: (v) => !v("SUPABASE_URL"),
  detail: "SUPABASE_URL is not set",
}, {
  id: "env_no_user_token_verifier",
  settings: ["SUPABASE_URL", "JWT_SECRET", "SUPABASE_JWKS"],
  missing: (v) => !v("JWT_SECRET") && !v("SUPABASE_JWKS") && !v("SUPABASE_URL"),
  detail: "none of JWT_SECRET, SUPABASE_JWKS, SUPABASE_URL (remote JWKS) is set: " +
    "user tokens cannot be verified",
}, {
  id: "env_secret_keys_invalid",
  settings: ["SUPABASE_SECRET_KEYS"],
  missing: (v) => secretKeyValues(v("SUPABASE_SECRET_KEYS")) === null,
  detail: 'SUPABASE_SECRET_KEYS is not a JSON object like {"default":"sb_secret_…"}',
}, {
  id: "env_service_key_missing",
  settings: ["SUPABASE_SERVICE_ROLE_KEY"],
  missing: (v) =>
    !v("SUPABASE_SERVICE_ROLE_KEY") && secretKeyValues(v("SUPABASE_SECRET_KEYS"))?.length === 0,
  detail: "neither SUPABASE_SERVICE_ROLE_KEY nor SUPABASE_SECRET_KEYS is set: " +
    "cron calls cannot be accepted",
}, {
  id: "env_service_key_is_anon",
  settings: ["SUPABASE_SERVICE_ROLE_KEY"],
  missing: (v) => isPublicKey(classifyKey(v("SUPABASE_SERVICE_ROLE_KEY") ?? "")),
  detail: "SUPABASE_SERVICE_ROLE_KEY holds the public anon/publishable key",
}, {
  id: "env_db_url_missing",
  settings: ["SUPABASE_DB_URL"],
  missing: (v) => !v("SUPABASE_DB_URL"),
  detail: "SUPABASE_DB_URL is not set: the functions cannot reach the database",
}];

function requiredFindings(env: FunctionEnv, named: Set<string>): Finding[] {
  const v: Get = (n) => env.vars[n]?.trim() || undefined;
  return REQUIRED.filter((r) => r.missing(v)).map((r) => {
    r.settings.forEach((name) => named.add(name));
    return finding(r.id, "error", `env:${env.label}`, r.detail, setFix(env.label, r.settings[0]));
  });
}

/** Problems the auth guard itself reports for this environment (answered 500), not named above. */
function guardFindings(env: FunctionEnv, named: Set<string>): Finding[] {
  const config = loadAuthConfig({ get: (name) => env.vars[name] });
  // One finding per setting: the first problem names it well enough.
  const seen = new Set(named);
  return config.problems
    .filter((p) => !p.setting.includes(",") && !seen.has(p.setting) && seen.add(p.setting))
    .map((p) =>
      finding(
        "env_auth_config_invalid",
        "error",
        `env:${env.label}`,
        `${p.setting} ${p.issue}: the guard answers 500 server_misconfigured`,
        setFix(env.label, p.setting),
      )
    );
}

const origin = (raw: string) => {
  try {
    return new URL(raw.trim()).origin;
  } catch {
    return raw.trim();
  }
};

function vaultFindings(env: FunctionEnv, ctx: EnvContext): Finding[] {
  const out: Finding[] = [];
  const s = `env:${env.label}`;
  const keys = [
    env.vars.SUPABASE_SERVICE_ROLE_KEY,
    ...(secretKeyValues(env.vars.SUPABASE_SECRET_KEYS) ?? []),
  ]
    .filter((k): k is string => typeof k === "string" && k.trim() !== "");
  const vaultKey = ctx.vaultServiceKey?.trim();
  if (vaultKey && keys.length > 0 && !keys.some((k) => sameSecret(k.trim(), vaultKey))) {
    out.push(
      finding(
        "vault_service_key_not_accepted",
        "error",
        s,
        "the Vault service_role_key is neither SUPABASE_SERVICE_ROLE_KEY nor in SUPABASE_SECRET_KEYS: every cron call is answered 401",
        "store the key the functions accept in Vault (vault.update_secret) or add it to SUPABASE_SECRET_KEYS",
      ),
    );
  }
  const url = env.vars.SUPABASE_URL?.trim();
  const vaultUrl = ctx.vaultProjectUrl?.trim();
  if (url && vaultUrl && origin(url) !== origin(vaultUrl)) {
    out.push(
      finding(
        "vault_project_url_mismatch",
        "warn",
        s,
        `Vault project_url (${origin(vaultUrl)}) differs from SUPABASE_URL (${origin(url)})`,
        "fine if the database reaches the functions under another name; else update the Vault project_url",
      ),
    );
  }
  return out;
}

/**
 * Findings for one function environment: SUPABASE_URL, a way to verify user
 * tokens, a service key (SUPABASE_SECRET_KEYS must be valid JSON), SUPABASE_DB_URL,
 * the guard's own configuration problems, and whether the Vault key is accepted.
 *
 * @example
 * envFindings({ label: "functions", vars: { SUPABASE_URL: "https://x.supabase.co" } }, {});
 */
export function envFindings(env: FunctionEnv, ctx: EnvContext): Finding[] {
  const named = new Set<string>();
  const out = [...requiredFindings(env, named), ...guardFindings(env, named)];
  out.push(...vaultFindings(env, ctx));
  if (out.some((f) => f.severity === "error")) return out;
  const verifier = env.vars.JWT_SECRET?.trim()
    ? "JWT_SECRET"
    : env.vars.SUPABASE_JWKS?.trim()
    ? "SUPABASE_JWKS"
    : "the remote JWKS";
  const detail =
    `SUPABASE_URL, user tokens via ${verifier}, a service key and SUPABASE_DB_URL are set`;
  return [finding("env_ok", "ok", `env:${env.label}`, detail), ...out];
}
