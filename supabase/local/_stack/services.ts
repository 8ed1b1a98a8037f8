/**
 * Local stack internals: port choice, the stop-in-reverse closer list, the
 * database (cluster, local roles, migrations, Vault secrets) and the serving
 * side (functions gateway; the real pg_net delivers to it from PostgreSQL). Imported only by `stack.ts`.
 *
 * @module
 */
import { freePort, startCluster } from "../cluster.ts";
import { applyLocalStack } from "../apply.ts";
import { type Mount, serveFunctions } from "../gateway.ts";
import type { RuntimeLimits } from "../runtime.ts";
import { createSql } from "../../functions/_shared/db.ts";
import type { Logger } from "../../functions/_shared/log.ts";

function assertPortFree(port: number, what: string, flag: string): void {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
  } catch (err) {
    if (!(err instanceof Deno.errors.AddrInUse)) throw err;
    throw new Error(
      `${what} port ${port} is already in use on 127.0.0.1 (another local stack?); ` +
        `choose another with \`./dev run ${flag} <port>\` (0 = any free port)`,
    );
  }
}

/** `port ?? fallback`; 0 picks a free port, any other port must be free (the error names `flag`). */
export function resolvePort(
  port: number | undefined,
  fallback: number,
  what: string,
  flag: string,
): number {
  const chosen = port ?? fallback;
  if (chosen === 0) return freePort();
  assertPortFree(chosen, what, flag);
  return chosen;
}

/** Runs closers in reverse order; every one runs even if another fails. */
export function closerStack() {
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

/**
 * `sql.end()` options for stopping: queries get 2 s, then the sockets are
 * destroyed. Unbounded, `end()` can wait forever for a 'close' event when
 * PostgreSQL is already shutting down (its own SIGINT from the terminal).
 */
const END = { timeout: 2 } as const;

/** The closer list of one stack. */
export type Closers = ReturnType<typeof closerStack>;

/**
 * Cluster, local roles + migrations, optional cron pause, the Vault secrets the cron jobs read,
 * and the watchdog's development outbound allowance.
 */
export async function startDatabase(closers: Closers, port: number, o: {
  apiUrl: string;
  serviceKey: string;
  pauseCron: boolean;
  onStarted?: (dataDir: string) => void;
}) {
  const cluster = await startCluster({ port });
  closers.add(() => cluster.stop());
  o.onStarted?.(cluster.dataDir);
  const sql = createSql(cluster.url);
  closers.add(() => sql.end(END));
  await applyLocalStack(cluster.url);
  if (o.pauseCron) await sql`select cron.alter_job(jobid, active := false) from cron.job`;
  await sql`select vault.create_secret(${o.apiUrl}, 'project_url')`;
  await sql`select vault.create_secret(${o.serviceKey}, 'service_role_key')`;
  // As OUTBOUND_ALLOW_PRIVATE for the functions: the demo Odoo and receiver are on 127.0.0.1.
  await sql`update public.edge_guard_settings set outbound_allow_private = true`;
  return { cluster, sql };
}

/** The functions gateway, where pg_net (inside PostgreSQL) delivers the cron jobs' requests. */
export async function startServing(closers: Closers, o: {
  port: number;
  env: Record<string, string>;
  logger: Logger;
  /** The `/auth/v1` route to Supabase Auth, and the admin page. */
  mounts: Mount[];
  functionsDir?: string;
  limits?: Partial<RuntimeLimits>;
}) {
  const { logger } = o;
  // Each isolate builds its own pool from SUPABASE_DB_URL, as on the
  // platform; stopping the gateway ends the isolates and so their connections.
  const gateway = await serveFunctions({
    port: o.port,
    env: o.env,
    functionsDir: o.functionsDir,
    limits: o.limits,
    logger,
    mounts: o.mounts,
  });
  closers.add(() => gateway.close());
  return gateway;
}
