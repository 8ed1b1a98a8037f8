/**
 * `./dev run` flags and LOCAL_STACK_* variables (the flag wins), and `--help`.
 * Imported only by `scripts/local_stack.ts`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { LocalStackOptions } from "../../supabase/local/stack.ts";

/** Flag name → [environment variable, help]. */
const SETTINGS: Record<string, [string, string]> = {
  "api-port": ["LOCAL_STACK_API_PORT", "gateway port, the project URL (54321; 0 = free port)"],
  "db-port": ["LOCAL_STACK_DB_PORT", "PostgreSQL port (54322; 0 = free port)"],
  "jwt-secret": ["LOCAL_STACK_JWT_SECRET", "HS256 JWT secret, 32+ chars (generated)"],
  "anon-key": ["LOCAL_STACK_ANON_KEY", "anon key (minted with the JWT secret)"],
  "service-role-key": ["LOCAL_STACK_SERVICE_ROLE_KEY", "service_role key (minted)"],
  "secret-key": ["LOCAL_STACK_SECRET_KEY", "sb_secret_... key (generated)"],
  "publishable-key": ["LOCAL_STACK_PUBLISHABLE_KEY", "sb_publishable_... key (generated)"],
  "cron-secret": ["LOCAL_STACK_CRON_SECRET", "CRON_SECRET of the functions (generated)"],
  "ref": ["LOCAL_STACK_REF", "project ref in the legacy keys (edgeguardlocal)"],
  "odoo-url": [
    "LOCAL_STACK_ODOO_URL",
    "use this Odoo instead of the demo one (needs --odoo-api-key)",
  ],
  "odoo-db": ["LOCAL_STACK_ODOO_DB", "Odoo database for --odoo-url (odoo)"],
  "odoo-login": ["LOCAL_STACK_ODOO_LOGIN", "Odoo login for --odoo-url (admin)"],
  "odoo-api-key": ["LOCAL_STACK_ODOO_API_KEY", "Odoo API key for --odoo-url"],
  "demo-leads": ["LOCAL_STACK_DEMO_LEADS", "leads in the demo Odoo (25)"],
  "receiver-port": ["LOCAL_STACK_RECEIVER_PORT", "demo webhook receiver port (0 = free port)"],
  "auth-token-ttl": [
    "LOCAL_STACK_AUTH_TOKEN_TTL",
    "lifetime of Supabase Auth's access tokens (GOTRUE_JWT_EXP), seconds (3600)",
  ],
  "auth-signing": [
    "LOCAL_STACK_AUTH_SIGNING",
    "how Supabase Auth signs tokens: es256 (a generated key) or legacy hs256 (es256)",
  ],
  "state-dir": ["LOCAL_STACK_STATE_DIR", "where stack.json and functions.env go (.local)"],
};
const SWITCHES: Record<string, [string, string]> = {
  "pause-cron": ["LOCAL_STACK_PAUSE_CRON", "create the cron jobs inactive"],
  "no-bot": ["LOCAL_STACK_NO_BOT", "seed no demo bot (and start no receiver)"],
  "no-sla-policy": ["LOCAL_STACK_NO_SLA_POLICY", "seed no SLA policy"],
  "no-odoo-credential": ["LOCAL_STACK_NO_ODOO_CREDENTIAL", "seed no Odoo credential"],
};

function usage(): string {
  const row = (flag: string, [env, help]: [string, string]) =>
    `  --${flag.padEnd(20)} ${env.padEnd(32)} ${help}`;
  return [
    "usage: ./dev run [flags]",
    ...Object.entries(SETTINGS).map(([f, s]) => row(`${f} <v>`, s)),
    ...Object.entries(SWITCHES).map(([f, s]) => row(f, s)),
    `  --${"env KEY=VALUE".padEnd(20)} ${"".padEnd(32)} extra function variable (repeatable)`,
  ].join("\n");
}

/**
 * Reads the flags, then LOCAL_STACK_* variables; `--help` prints the usage and exits 0.
 *
 * @param args the command-line arguments.
 * @returns the options for `startLocalStack`.
 * @example
 * readOptions(["--api-port", "0"]).apiPort; // 0
 */
export function readOptions(args: string[]): LocalStackOptions {
  const { values } = parseArgs({
    args,
    options: {
      ...Object.fromEntries(Object.keys(SETTINGS).map((f) => [f, { type: "string" as const }])),
      ...Object.fromEntries(Object.keys(SWITCHES).map((f) => [f, { type: "boolean" as const }])),
      env: { type: "string", multiple: true },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(usage());
    Deno.exit(0);
  }
  const v = values as Record<string, string | boolean | string[] | undefined>;
  const str = (f: string) => (v[f] as string | undefined) ?? Deno.env.get(SETTINGS[f][0]);
  const on = (f: string) =>
    v[f] === true || /^(1|true|yes)$/i.test(Deno.env.get(SWITCHES[f][0]) ?? "");
  const int = (f: string) => {
    const raw = str(f);
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw)) throw new Error(`--${f} must be a non-negative integer`);
    return Number(raw);
  };
  return {
    apiPort: int("api-port"),
    dbPort: int("db-port"),
    keys: {
      jwtSecret: str("jwt-secret"),
      anonKey: str("anon-key"),
      serviceRoleKey: str("service-role-key"),
      secretKey: str("secret-key"),
      publishableKey: str("publishable-key"),
      cronSecret: str("cron-secret"),
      ref: str("ref"),
    },
    odoo: odooTarget(str),
    demoLeads: int("demo-leads"),
    receiverPort: int("receiver-port"),
    authTokenTtlSeconds: int("auth-token-ttl"),
    authSigning: signing(str("auth-signing")),
    stateDir: str("state-dir"),
    pauseCron: on("pause-cron"),
    seed: {
      bot: !on("no-bot"),
      slaPolicy: !on("no-sla-policy"),
      odooCredential: !on("no-odoo-credential"),
    },
    functionEnv: keyValues((v.env as string[] | undefined) ?? []),
  };
}

function signing(raw: string | undefined): LocalStackOptions["authSigning"] {
  if (raw === undefined) return undefined;
  const upper = raw.toUpperCase();
  if (upper === "ES256" || upper === "HS256") return upper;
  throw new Error("--auth-signing must be es256 or hs256");
}

function odooTarget(str: (flag: string) => string | undefined): LocalStackOptions["odoo"] {
  const url = str("odoo-url");
  if (url === undefined) return undefined;
  const apiKey = str("odoo-api-key");
  if (apiKey === undefined) throw new Error("--odoo-url needs --odoo-api-key");
  return { url, db: str("odoo-db") ?? "odoo", login: str("odoo-login") ?? "admin", apiKey };
}

function keyValues(pairs: string[]): Record<string, string> {
  return Object.fromEntries(pairs.map((kv) => {
    const at = kv.indexOf("=");
    if (at < 1) throw new Error("--env expects KEY=VALUE");
    return [kv.slice(0, at), kv.slice(at + 1)];
  }));
}
