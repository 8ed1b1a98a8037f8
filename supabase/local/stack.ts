/**
 * The local stack (`./dev run`): a throwaway PostgreSQL 15 with Supabase's
 * real extensions (pg_cron, pg_net, Vault, supautils), the local roles,
 * Supabase Auth's migrations and every migration, generated project keys,
 * Vault secrets for the cron jobs, Supabase Auth itself (routed at
 * `/auth/v1`), demo data and users, the functions gateway (pg_net delivers the
 * cron jobs' requests to it from inside PostgreSQL), a demo Odoo and a webhook
 * receiver. Local use only: nothing here is
 * ever applied to or pointed at a real Supabase project.
 *
 * @module
 */
import { JWKS_PATH } from "./gateway.ts";
import { generateProjectKeys, type ProjectKeys } from "./keys.ts";
import {
  type Closers,
  closerStack,
  resolvePort,
  startDatabase,
  startServing,
} from "./_stack/services.ts";
import { startDemo } from "./_stack/demo.ts";
import { functionEnv, syncNowCurlLines, writeState } from "./_stack/files.ts";
import { log as defaultLog } from "../functions/_shared/log.ts";
import { authProxy, type LocalAuth, startLocalAuth } from "./auth.ts";
import { ADMIN_PREFIX, adminPageMount } from "./admin_page.ts";

export { shellQuote, syncNowCurlLines, toDotenv } from "./_stack/files.ts";
export type {
  CurlLine,
  DemoSeed,
  LocalStack,
  LocalStackOptions,
  OdooTarget,
} from "./_stack/types.ts";
import type { LocalStack, LocalStackOptions } from "./_stack/types.ts";

/** `SUPABASE_JWKS` as the platform injects it: Auth's public keys (none in HS256 mode). */
function jwksEnv(auth: LocalAuth): Record<string, string> {
  const jwks = auth.jwks();
  return jwks.keys.length === 0 ? {} : { SUPABASE_JWKS: JSON.stringify(jwks) };
}

/** Database, Auth, demo, gateway, state files, in that order; returns what is running. */
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
    onStarted: options.onDatabaseStarted,
  });
  const auth = await startLocalAuth({
    dbUrl: cluster.url,
    projectUrl: apiUrl,
    jwtSecret: keys.jwtSecret,
    signing: options.authSigning,
    jwtExpSeconds: options.authTokenTtlSeconds,
  });
  closers.add(() => auth.stop());
  const demo = await startDemo(closers, sql, options, {
    logger,
    auth: {
      admin: { url: auth.url, apiKey: keys.serviceRoleKey },
      anon: { url: auth.url, apiKey: keys.anonKey },
    },
  });
  const env = functionEnv(apiUrl, cluster.url, keys, {
    ...jwksEnv(auth),
    ...options.functionEnv,
  });
  const gateway = await startServing(closers, {
    port: apiPort,
    env,
    logger,
    functionsDir: options.functionsDir,
    limits: options.limits,
    mounts: [
      authProxy({
        upstream: auth.url,
        apiKeys: [keys.anonKey, keys.publishableKey, keys.serviceRoleKey, keys.secretKey],
      }),
      adminPageMount({ anonKey: keys.anonKey }),
    ],
  });
  const state = { dbUrl: cluster.url, functionsUrl: gateway.functionsUrl, apiUrl, pid: Deno.pid };
  const files = await writeState(closers, options.stateDir, {
    ...state,
    dataDir: cluster.dataDir,
  }, env);
  return { apiUrl, keys, cluster, sql, demo, env, gateway, files, auth };
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
      admin: `${apiUrl}${ADMIN_PREFIX}/`,
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
    auth: parts.auth,
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
