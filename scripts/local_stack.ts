/**
 * `./dev run` (`deno task start`): starts the local stack, prints its URLs,
 * keys and ready-to-paste curl lines, and stops everything on Ctrl-C / SIGTERM.
 * Every setting has a flag and a LOCAL_STACK_* variable (the flag wins);
 * `--help` lists them. See README.md, "The local stack".
 */
import { parseArgs } from "node:util";
import {
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from "../supabase/local/stack.ts";

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
  "token-ttl": ["LOCAL_STACK_TOKEN_TTL", "lifetime of the demo user tokens, seconds (86400)"],
  "auth-token-ttl": [
    "LOCAL_STACK_AUTH_TOKEN_TTL",
    "lifetime of access tokens from sign-in at /auth/v1, seconds (3600)",
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
    "usage: deno task start [flags]   (./dev run [flags])",
    ...Object.entries(SETTINGS).map(([f, s]) => row(`${f} <v>`, s)),
    ...Object.entries(SWITCHES).map(([f, s]) => row(f, s)),
    `  --${"env KEY=VALUE".padEnd(20)} ${"".padEnd(32)} extra function variable (repeatable)`,
  ].join("\n");
}

function readOptions(args: string[]): LocalStackOptions {
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
    tokenTtlSeconds: int("token-ttl"),
    authTokenTtlSeconds: int("auth-token-ttl"),
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

function statusBlock(s: LocalStack, pausedCron: boolean): string {
  const rows: [string, string][] = [
    ["API URL", s.urls.api],
    ["Functions URL", s.urls.functions],
    ["Functions", s.functionNames.join(", ") || "(none yet)"],
    ["JWKS URL", s.urls.jwks],
    ["DB URL", s.urls.db],
    ["Odoo URL", s.urls.odoo],
    ["Webhook receiver", s.urls.receiver ? `${s.urls.receiver}/hook` : "(off)"],
    ["Cron jobs", pausedCron ? "paused (--pause-cron)" : "active; pg_net worker delivering"],
    ["JWT secret", s.keys.jwtSecret],
    ["anon key", s.keys.anonKey],
    ["service_role key", s.keys.serviceRoleKey],
    ["Publishable key", s.keys.publishableKey],
    ["Secret key", s.keys.secretKey],
    ["Cron secret", s.keys.cronSecret],
    ["Demo org", s.demo.orgId],
    ["Admin token", s.tokens.admin],
    ["Member token", s.tokens.member],
    ["Admin page", s.urls.admin],
    ["Admin sign-in", `${s.demo.users.admin.email} / ${s.demo.users.admin.password}`],
    ["Member sign-in", `${s.demo.users.member.email} / ${s.demo.users.member.password}`],
    ["State file", s.files?.stackJson ?? "(none)"],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padStart(width)}: ${v}`).join("\n");
}

function curlBlock(s: LocalStack): string {
  return s.curlLines.map((l) => `# ${l.title} (expect ${l.expectStatus})\n${l.command}`).join(
    "\n\n",
  );
}

const write = (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(`${text}\n`));

// Listen before starting, so a Ctrl-C during start-up still stops what started.
let received: string | null = null;
let wake = () => {};
const signalled = new Promise<void>((resolve) => (wake = resolve));
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(sig, () => {
    if (received !== null) {
      console.error(`[local-stack] ${sig} again: exiting without cleanup`);
      Deno.exit(130);
    }
    received = sig;
    wake();
  });
}

let stack: LocalStack;
try {
  const options = readOptions(Deno.args);
  console.error("[local-stack] starting PostgreSQL, migrations, demo data, functions…");
  stack = await startLocalStack(options);
  write(`\nedge-guard local stack\n\n${statusBlock(stack, options.pauseCron ?? false)}\n`);
  write(`Try it (run while the stack is up):\n\n${curlBlock(stack)}\n`);
  write("Local stack ready. Press Ctrl-C to stop.");
} catch (err) {
  console.error(`[local-stack] failed to start: ${err instanceof Error ? err.message : err}`);
  console.error("[local-stack] `deno task start --help` lists the settings");
  Deno.exit(1);
}

await signalled;
console.error(`[local-stack] ${received}: stopping…`);
try {
  await stack.stop();
  console.error("[local-stack] stopped");
  Deno.exit(0);
} catch (err) {
  console.error(`[local-stack] stop failed: ${err instanceof Error ? err.message : err}`);
  Deno.exit(1);
}
