/**
 * The local stack (`./dev run`): a throwaway PostgreSQL 15 with pg_cron, the
 * local stand-ins and every migration, generated project keys, Vault secrets
 * for the cron jobs, demo data, the functions gateway, the pg_net delivery
 * worker, a demo Odoo and a webhook receiver. Local use only: nothing here is
 * ever applied to or pointed at a real Supabase project.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { freePort, startCluster } from "./cluster.ts";
import { applyLocalStack } from "./apply.ts";
import { startNetWorker } from "./pg_net_worker.ts";
import { JWKS_PATH, serveFunctions } from "./gateway.ts";
import { startDemoReceiver } from "./demo_receiver.ts";
import {
  generateProjectKeys,
  mintUserAccessToken,
  type ProjectKeyOverrides,
  type ProjectKeys,
} from "./keys.ts";
import { asServiceRole, createSql, type Sql } from "../functions/_shared/db.ts";
import { log as defaultLog, type Logger } from "../functions/_shared/log.ts";
// The demo Odoo is the project's faithful JSON-RPC test server, reused as-is
// (test support imported by the local stack on purpose; never deployed).
import {
  makeLeads,
  makeMessages,
  type OdooTestServer,
  startOdooServer,
} from "../../tests/support/odoo_server.ts";

/** An Odoo instance and the integration user the demo credential names. */
export interface OdooTarget {
  url: string;
  db: string;
  login: string;
  apiKey: string;
}

/** What was seeded for the demo organization. */
export interface DemoSeed {
  orgId: string;
  adminUserId: string;
  memberUserId: string;
  botId: string | null;
  slaPolicyId: string | null;
  tokens: { admin: string; member: string };
}

/** Options for {@linkcode startLocalStack}; the CLI maps flags and LOCAL_STACK_* variables here. */
export interface LocalStackOptions {
  /** Gateway port (project URL). Default 54321; 0 = a free port. */
  apiPort?: number;
  /** PostgreSQL port. Default 54322; 0 = a free port. */
  dbPort?: number;
  /** Keys to use instead of generated ones (JWT secret, anon / service_role / sb_ keys, cron secret, ref). */
  keys?: ProjectKeyOverrides;
  /** An existing Odoo to use. Default: start the Odoo test server with demo leads and messages. */
  odoo?: OdooTarget;
  /** Demo leads in the started Odoo (3 messages each). Default 25. */
  demoLeads?: number;
  /** Demo webhook receiver port. Default 0 (a free port). */
  receiverPort?: number;
  /** Deactivate every cron job (`cron.alter_job(active := false)`) so a caller drives them. Default false. */
  pauseCron?: boolean;
  /** Seed toggles (the demo organization and its tokens are always created). Default: all true. */
  seed?: { odooCredential?: boolean; bot?: boolean; slaPolicy?: boolean };
  /** Lifetime of the printed user tokens, in seconds. Default 86400. */
  tokenTtlSeconds?: number;
  /** Where `stack.json` and `functions.env` go; null writes nothing. Default `<repo>/.local`. */
  stateDir?: string | null;
  /** Extra variables for the functions' environment (override the generated ones). */
  functionEnv?: Record<string, string>;
  /** pg_net worker poll interval, ms. Default 250. */
  workerIntervalMs?: number;
  /** Logger for the gateway, functions, worker and receiver. Default: the console logger. */
  logger?: Logger;
}

/** A printed, ready-to-paste request and the status it must get. */
export interface CurlLine {
  title: string;
  expectStatus: number;
  command: string;
}

/** A running stack. */
export interface LocalStack {
  urls: {
    api: string;
    functions: string;
    db: string;
    jwks: string;
    odoo: string;
    receiver: string | null;
  };
  /** Function folders served at start-up (more are picked up as they appear). */
  functionNames: string[];
  keys: ProjectKeys;
  /** HS256 user tokens of the demo organization: an integration admin and a plain member. */
  tokens: { admin: string; member: string };
  demo: DemoSeed;
  /** The functions' environment (what `functions.env` holds). */
  env: Readonly<Record<string, string>>;
  curlLines: CurlLine[];
  /** A superuser client, closed by `stop()`. */
  sql: Sql;
  /** The started Odoo test server, or null when `options.odoo` was given. */
  odoo: OdooTestServer | null;
  /** Data directory of the cluster (removed by `stop()`). */
  dataDir: string;
  /** `stack.json` and `functions.env`, or null when `stateDir` is null. */
  files: { stackJson: string; functionsEnv: string } | null;
  /** Stops everything in reverse order and removes the state files. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_STATE_DIR = fileURLToPath(new URL("../../.local", import.meta.url));

function assertPortFree(port: number, what: string, flag: string): void {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
  } catch (err) {
    if (!(err instanceof Deno.errors.AddrInUse)) throw err;
    throw new Error(
      `${what} port ${port} is already in use on 127.0.0.1 (another local stack?); ` +
        `choose another with ${flag} (0 = any free port)`,
    );
  }
}

function resolvePort(port: number | undefined, fallback: number, what: string, flag: string) {
  const chosen = port ?? fallback;
  if (chosen === 0) return freePort();
  assertPortFree(chosen, what, flag);
  return chosen;
}

/** Runs closers in reverse order; every one runs even if another fails. */
function closerStack() {
  const closers: (() => Promise<unknown>)[] = [];
  let done: Promise<void> | undefined;
  const run = async () => {
    const errors: unknown[] = [];
    for (const close of closers.reverse()) await close().catch((err) => errors.push(err));
    if (errors.length) throw new AggregateError(errors, "local stack: stop failed");
  };
  return {
    add: (close: () => Promise<unknown>) => void closers.push(close),
    closeAll: () => (done ??= run()),
  };
}

function functionEnv(
  apiUrl: string,
  dbUrl: string,
  keys: ProjectKeys,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    SUPABASE_URL: apiUrl,
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
    SUPABASE_DB_URL: dbUrl,
    SUPABASE_PUBLISHABLE_KEYS: keys.publishableKeysJson,
    SUPABASE_SECRET_KEYS: keys.secretKeysJson,
    JWT_SECRET: keys.jwtSecret,
    CRON_SECRET: keys.cronSecret,
    ...extra,
  };
}

/** Quotes a value for a shell command line. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** The four "sync now" requests: admin 200, member 403, anon key 401, service key 200. */
export function syncNowCurlLines(
  functionsUrl: string,
  orgId: string,
  credentials: { admin: string; member: string; anonKey: string; serviceKey: string },
): CurlLine[] {
  const url = `${functionsUrl}/odoo-crm-sync`;
  const line = (bearer: string, body: object) =>
    [
      "curl -sS -X POST",
      shellQuote(url),
      "-H",
      shellQuote(`Authorization: Bearer ${bearer}`),
      "-H 'Content-Type: application/json' -d",
      shellQuote(JSON.stringify(body)),
      `-w '\\nHTTP %{http_code}\\n'`,
    ].join(" ");
  const body = { mode: "incremental" };
  return [
    {
      title: "Sync now as the integration admin",
      expectStatus: 200,
      command: line(credentials.admin, body),
    },
    {
      title: "The same as a non-admin member of the org",
      expectStatus: 403,
      command: line(credentials.member, body),
    },
    {
      title: "The anon key (what the old cron jobs sent)",
      expectStatus: 401,
      command: line(credentials.anonKey, body),
    },
    {
      title: "The service_role key (what the cron jobs send)",
      expectStatus: 200,
      command: line(credentials.serviceKey, { ...body, org_id: orgId }),
    },
  ];
}

/** A dotenv file body; values are quoted when they hold anything but plain characters. */
export function toDotenv(vars: Record<string, string>): string {
  const quote = (v: string) =>
    /^[A-Za-z0-9_.:/@+=-]*$/.test(v)
      ? v
      : !v.includes("'") && !/[\r\n]/.test(v)
      ? `'${v}'`
      : JSON.stringify(v);
  return Object.entries(vars).map(([k, v]) => `${k}=${quote(v)}\n`).join("");
}

async function writeStateFiles(stateDir: string, state: Record<string, unknown>, env: string) {
  await Deno.mkdir(stateDir, { recursive: true });
  const dir = await Deno.realPath(stateDir);
  const functionsEnv = `${dir}/functions.env`;
  const stackJson = `${dir}/stack.json`;
  await Deno.writeTextFile(functionsEnv, env, { mode: 0o600 });
  await Deno.chmod(functionsEnv, 0o600);
  const body = { ...state, functionsEnvFile: functionsEnv };
  await Deno.writeTextFile(stackJson, `${JSON.stringify(body, null, 2)}\n`);
  return { stackJson, functionsEnv };
}

type Closers = ReturnType<typeof closerStack>;

/** Cluster, stand-ins + migrations, optional cron pause, the Vault secrets the cron jobs read. */
async function startDatabase(closers: Closers, port: number, o: {
  apiUrl: string;
  serviceKey: string;
  pauseCron: boolean;
}) {
  const cluster = await startCluster({ port });
  closers.add(() => cluster.stop());
  const sql = createSql(cluster.url);
  closers.add(() => sql.end());
  await applyLocalStack(cluster.url);
  if (o.pauseCron) await sql`select cron.alter_job(jobid, active := false) from cron.job`;
  await sql`select vault.create_secret(${o.apiUrl}, 'project_url')`;
  await sql`select vault.create_secret(${o.serviceKey}, 'service_role_key')`;
  return { cluster, sql };
}

function startDemoOdoo(leadCount: number): { server: OdooTestServer; target: OdooTarget } {
  // Leads last written 3 to 7 days ago: old enough for the sync's settle window
  // and for the demo SLA policy to find stale leads.
  const start = new Date(Date.now() - 7 * 86_400_000);
  const leads = makeLeads(leadCount, { start, stepSeconds: 4 * 3600, sameTimestampEvery: 1 });
  const records = { "crm.lead": leads, "mail.message": makeMessages(leads, 3) };
  const server = startOdooServer({ records });
  return {
    server,
    target: { url: server.url, db: "odoo", login: "admin", apiKey: "test-api-key" },
  };
}

interface SeedOptions {
  odoo: OdooTarget;
  odooCredential: boolean;
  slaPolicy: boolean;
  webhookUrl: string | null;
  apiUrl: string;
  jwtSecret: string;
  tokenTtlSeconds: number;
}

async function seedDemo(sql: Sql, o: SeedOptions): Promise<DemoSeed> {
  const [org] = await sql<{ id: string }[]>`
    insert into public.organizations (name) values ('Demo Org') returning id::text`;
  if (o.odooCredential) {
    await asServiceRole(
      sql,
      (tx) =>
        tx`select public.upsert_integration_credential(${org.id}::uuid, 'odoo', ${o.odoo.apiKey},
        ${o.odoo.url}, ${o.odoo.db}, ${o.odoo.login}, '{}'::jsonb)`,
    );
  }
  const bot = o.webhookUrl === null ? [] : await sql<{ id: string }[]>`
    insert into public.bots (org_id, name, interval_minutes, webhook_url, payload)
    values (${org.id}::uuid, 'Demo webhook bot', 5, ${o.webhookUrl},
      ${sql.json({ source: "edge-guard local stack" })})
    returning id::text`;
  const policy = !o.slaPolicy ? [] : await sql<{ id: string }[]>`
    insert into public.sla_policies (org_id, name, max_hours_without_progress)
    values (${org.id}::uuid, 'No progress for 48 hours', 48) returning id::text`;
  const user = (email: string, admin: boolean) => {
    const sub = crypto.randomUUID();
    const claims = { integration_admin: admin, organization_id: org.id };
    const token = mintUserAccessToken({
      projectUrl: o.apiUrl,
      jwtSecret: o.jwtSecret,
      sub,
      email,
      claims,
      ttlSeconds: o.tokenTtlSeconds,
    });
    return { sub, token };
  };
  const admin = user("admin@demo.local", true);
  const member = user("member@demo.local", false);
  return {
    orgId: org.id,
    adminUserId: admin.sub,
    memberUserId: member.sub,
    botId: bot[0]?.id ?? null,
    slaPolicyId: policy[0]?.id ?? null,
    tokens: { admin: admin.token, member: member.token },
  };
}

/** The demo Odoo (unless `options.odoo`), the webhook receiver and the seed. */
async function startDemo(closers: Closers, sql: Sql, options: LocalStackOptions, o: {
  apiUrl: string;
  jwtSecret: string;
  logger: Logger;
}) {
  const demoOdoo = options.odoo ? null : startDemoOdoo(options.demoLeads ?? 25);
  if (demoOdoo) closers.add(() => demoOdoo.server.close());
  const target = options.odoo ?? demoOdoo!.target;
  const receiver = (options.seed?.bot ?? true)
    ? startDemoReceiver({ port: options.receiverPort, logger: o.logger })
    : null;
  if (receiver) closers.add(() => receiver.close());
  const demo = await seedDemo(sql, {
    odoo: target,
    odooCredential: options.seed?.odooCredential ?? true,
    slaPolicy: options.seed?.slaPolicy ?? true,
    webhookUrl: receiver ? `${receiver.url}/hook` : null,
    apiUrl: o.apiUrl,
    jwtSecret: o.jwtSecret,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 86_400,
  });
  return { odoo: demoOdoo?.server ?? null, odooUrl: target.url, receiver, demo };
}

/** The functions gateway, then the pg_net worker that delivers the cron jobs' requests to it. */
async function startServing(
  closers: Closers,
  dbUrl: string,
  port: number,
  env: Record<string, string>,
  options: LocalStackOptions,
  logger: Logger,
) {
  // Each function gets its own pool, built as it would build it from
  // SUPABASE_DB_URL, but owned here so that stop() closes every connection.
  const pools: Sql[] = [];
  closers.add(() => Promise.all(pools.map((p) => p.end())));
  const gateway = await serveFunctions({
    port,
    env: { get: (name) => env[name] },
    deps: () => ({ sql: pools[pools.push(createSql(dbUrl)) - 1], logger }),
    logger,
  });
  closers.add(() => gateway.close());
  const worker = startNetWorker(dbUrl, { intervalMs: options.workerIntervalMs, log: logger });
  closers.add(() => worker.stop());
  return gateway;
}

/**
 * Starts the whole stack. On any failure, whatever had started is stopped
 * before the error is rethrown.
 *
 * @param options ports, keys, Odoo, seed toggles, state dir; see {@linkcode LocalStackOptions}.
 * @returns the running {@linkcode LocalStack}; always `await stack.stop()`.
 * @example
 * const stack = await startLocalStack({ apiPort: 0, dbPort: 0, pauseCron: true, stateDir: null });
 * try { console.log(stack.curlLines[0].command); } finally { await stack.stop(); }
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const logger = options.logger ?? defaultLog;
  const keys = generateProjectKeys(options.keys);
  const apiPort = resolvePort(options.apiPort, 54321, "API", "--api-port");
  const dbPort = resolvePort(options.dbPort, 54322, "database", "--db-port");
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const closers = closerStack();
  try {
    const { cluster, sql } = await startDatabase(closers, dbPort, {
      apiUrl,
      serviceKey: keys.serviceRoleKey,
      pauseCron: options.pauseCron ?? false,
    });
    const { odoo, odooUrl, receiver, demo } = await startDemo(closers, sql, options, {
      apiUrl,
      jwtSecret: keys.jwtSecret,
      logger,
    });
    const env = functionEnv(apiUrl, cluster.url, keys, options.functionEnv);
    const gateway = await startServing(closers, cluster.url, apiPort, env, options, logger);
    const stateDir = options.stateDir === undefined ? DEFAULT_STATE_DIR : options.stateDir;
    const state = { dbUrl: cluster.url, functionsUrl: gateway.functionsUrl, apiUrl, pid: Deno.pid };
    const files = stateDir === null
      ? null
      : await writeStateFiles(stateDir, { ...state, dataDir: cluster.dataDir }, toDotenv(env));
    if (files) {
      closers.add(() =>
        Promise.all([Deno.remove(files.stackJson), Deno.remove(files.functionsEnv)])
      );
    }
    return {
      urls: {
        api: apiUrl,
        functions: gateway.functionsUrl,
        db: cluster.url,
        jwks: `${apiUrl}${JWKS_PATH}`,
        odoo: odooUrl,
        receiver: receiver?.url ?? null,
      },
      functionNames: await gateway.functions(),
      keys,
      tokens: demo.tokens,
      demo,
      env: Object.freeze({ ...env }),
      curlLines: syncNowCurlLines(gateway.functionsUrl, demo.orgId, {
        ...demo.tokens,
        anonKey: keys.anonKey,
        serviceKey: keys.serviceRoleKey,
      }),
      sql,
      odoo,
      dataDir: cluster.dataDir,
      files,
      stop: closers.closeAll,
    };
  } catch (err) {
    await closers.closeAll().catch(() => {});
    throw err;
  }
}
