/**
 * The local stack (`./dev run`): a throwaway PostgreSQL 15 with pg_cron, the
 * local stand-ins and every migration, generated project keys, Vault secrets
 * for the cron jobs, demo data, the functions gateway, the pg_net delivery
 * worker, a demo Odoo and a webhook receiver. Local use only: nothing here is
 * ever applied to or pointed at a real Supabase project.
 *
 * @module
 */
import { JWKS_PATH } from "./gateway.ts";
import { generateProjectKeys, type ProjectKeyOverrides, type ProjectKeys } from "./keys.ts";
import {
  type Closers,
  closerStack,
  resolvePort,
  startDatabase,
  startServing,
} from "./_stack/services.ts";
import { startDemo } from "./_stack/demo.ts";
import { functionEnv, syncNowCurlLines, writeState } from "./_stack/files.ts";
import type { Sql } from "../functions/_shared/db.ts";
import { log as defaultLog, type Logger } from "../functions/_shared/log.ts";
import type { OdooTestServer } from "./odoo.ts";

export { shellQuote, syncNowCurlLines, toDotenv } from "./_stack/files.ts";

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
  /** A client of the non-superuser `postgres` role (as on hosted Supabase), closed by `stop()`. */
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

/** Database, demo, gateway + worker, state files, in that order; returns what is running. */
async function startParts(closers: Closers, o: {
  options: LocalStackOptions;
  keys: ProjectKeys;
  apiPort: number;
  dbPort: number;
}) {
  const { options, keys, apiPort } = o;
  const logger = options.logger ?? defaultLog;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const { cluster, sql } = await startDatabase(closers, o.dbPort, {
    apiUrl,
    serviceKey: keys.serviceRoleKey,
    pauseCron: options.pauseCron ?? false,
  });
  const demo = await startDemo(closers, sql, options, {
    apiUrl,
    jwtSecret: keys.jwtSecret,
    logger,
  });
  const env = functionEnv(apiUrl, cluster.url, keys, options.functionEnv);
  const { workerIntervalMs } = options;
  const gateway = await startServing(closers, cluster.url, {
    port: apiPort,
    env,
    workerIntervalMs,
    logger,
  });
  const state = { dbUrl: cluster.url, functionsUrl: gateway.functionsUrl, apiUrl, pid: Deno.pid };
  const files = await writeState(closers, options.stateDir, {
    ...state,
    dataDir: cluster.dataDir,
  }, env);
  return { apiUrl, keys, cluster, sql, demo, env, gateway, files };
}

/** The public view of the started parts. */
async function describeStack(
  parts: Awaited<ReturnType<typeof startParts>>,
  stop: () => Promise<void>,
): Promise<LocalStack> {
  const { apiUrl, keys, cluster, gateway, env } = parts;
  const { odoo, odooUrl, receiver, demo } = parts.demo;
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
    sql: parts.sql,
    odoo,
    dataDir: cluster.dataDir,
    files: parts.files,
    stop,
  };
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
  const keys = generateProjectKeys(options.keys);
  const apiPort = resolvePort(options.apiPort, 54321, "API", "--api-port");
  const dbPort = resolvePort(options.dbPort, 54322, "database", "--db-port");
  const closers = closerStack();
  try {
    const parts = await startParts(closers, { options, keys, apiPort, dbPort });
    return await describeStack(parts, closers.closeAll);
  } catch (err) {
    await closers.closeAll().catch(() => {});
    throw err;
  }
}
