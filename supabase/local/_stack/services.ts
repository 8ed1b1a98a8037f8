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
import { createSql, type Sql } from "../../functions/_shared/db.ts";
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

/** Cluster, local roles + migrations, optional cron pause, the Vault secrets the cron jobs read. */
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
  return { cluster, sql };
}

/** The functions gateway, where pg_net (inside PostgreSQL) delivers the cron jobs' requests. */
export async function startServing(closers: Closers, dbUrl: string, o: {
  port: number;
  env: Record<string, string>;
  logger: Logger;
  /** The Auth stand-in and the admin page. */
  mounts: Mount[];
}) {
  // Each function gets its own pool, built as it would build it from
  // SUPABASE_DB_URL, but owned here so that stop() closes every connection.
  const pools: Sql[] = [];
  closers.add(() => Promise.all(pools.map((p) => p.end(END))));
  const { env, logger } = o;
  const gateway = await serveFunctions({
    port: o.port,
    env: { get: (name) => env[name] },
    deps: () => ({ sql: pools[pools.push(createSql(dbUrl)) - 1], logger }),
    logger,
    mounts: o.mounts,
  });
  closers.add(() => gateway.close());
  return gateway;
}
