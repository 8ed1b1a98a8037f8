/**
 * Throwaway PostgreSQL 15 clusters with pg_cron preloaded, for tests and the
 * local stack. Never used against a real Supabase project.
 *
 * Roles as on hosted Supabase: the bootstrap superuser is `supabase_admin`
 * (it installs extensions and the stand-ins in `supabase/local/*.sql`), and
 * `postgres`, the role migrations, tests and cron jobs use, is NOT a superuser:
 * `NOSUPERUSER CREATEDB CREATEROLE LOGIN REPLICATION BYPASSRLS`
 * (supabase/postgres migrations/db/migrations/10000000000000_demote-postgres.sql)
 * and owns the database (migrations/db/migrate.sh: `alter database postgres
 * owner to postgres`), hence the `public` schema.
 *
 * Under root, initdb and postgres refuse to run, so both run as the `postgres`
 * OS user through `runuser` (the data directory is chowned to it).
 */

/** A running throwaway cluster. */
export interface Cluster {
  /** Connection URL of the non-superuser `postgres` role, `postgres` database. */
  url: string;
  /** Superuser connection URL (`supabase_admin`); see {@linkcode adminUrlFor}. */
  adminUrl: string;
  port: number;
  dataDir: string;
  /** Stops the server and removes the data directory. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Synchronous {@linkcode Cluster.stop}, for `unload` handlers (which cannot
   * await). Safe to call twice, and after `stop()`.
   */
  stopSync(): void;
}

/** Options for {@linkcode startCluster}. */
export interface ClusterOptions {
  /** TCP port on 127.0.0.1. Default: a free port picked by the OS. */
  port?: number;
  /** PostgreSQL binaries. Default: `PG_BIN` or `/usr/lib/postgresql/15/bin`. */
  pgBin?: string;
  /** Extra `postgresql.conf` lines. */
  extraConf?: string[];
}

const isRoot = () => Deno.uid?.() === 0;

async function run(cmd: string, args: string[], asPostgres: boolean): Promise<string> {
  const [bin, argv] = asPostgres && isRoot()
    ? ["runuser", ["-u", "postgres", "--", cmd, ...args]]
    : [cmd, args];
  const out = await new Deno.Command(bin, { args: argv, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd} failed (${out.code}): ${text.slice(-2000)}`);
  return text;
}

/** The bootstrap superuser, as on hosted Supabase. */
export const ADMIN_ROLE = "supabase_admin";

/**
 * The superuser URL of the cluster `url` belongs to: the same URL with the
 * user `supabase_admin`. Local clusters trust 127.0.0.1, so no password.
 *
 * @example
 * adminUrlFor("postgres://postgres@127.0.0.1:5432/postgres");
 * // "postgres://supabase_admin@127.0.0.1:5432/postgres"
 */
export function adminUrlFor(url: string): string {
  const u = new URL(url);
  u.username = ADMIN_ROLE;
  u.password = "";
  return u.href;
}

const BOOTSTRAP_SQL = `
create role postgres login nosuperuser createdb createrole replication bypassrls;
alter database postgres owner to postgres;`;

/** Returns a TCP port that is free on 127.0.0.1 right now. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * Starts a fresh cluster in a temp dir with `shared_preload_libraries='pg_cron'`.
 *
 * @example
 * const c = await startCluster();
 * try { console.log(c.url); } finally { await c.stop(); }
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const pgBin = options.pgBin ?? Deno.env.get("PG_BIN") ?? "/usr/lib/postgresql/15/bin";
  const port = options.port ?? freePort();
  const dataDir = await Deno.makeTempDir({ prefix: "edge-guard-pg-" });
  if (isRoot()) await run("chown", ["-R", "postgres:postgres", dataDir], false);
  const pgdata = `${dataDir}/data`;
  await run(`${pgBin}/initdb`, [
    "-D",
    pgdata,
    "-U",
    ADMIN_ROLE,
    "--auth=trust",
    "--encoding=UTF8",
    "--locale=C",
    "--no-sync",
  ], true);
  const conf = [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${dataDir}'`,
    `shared_preload_libraries = 'pg_cron'`,
    `cron.database_name = 'postgres'`,
    `cron.use_background_workers = on`,
    `max_worker_processes = 32`,
    `fsync = off`,
    `synchronous_commit = off`,
    `full_page_writes = off`,
    `log_min_messages = warning`,
    ...(options.extraConf ?? []),
  ].join("\n");
  await Deno.writeTextFile(`${pgdata}/postgresql.conf`, `\n${conf}\n`, { append: true });
  await run(`${pgBin}/pg_ctl`, ["-D", pgdata, "-l", `${dataDir}/server.log`, "-w", "start"], true);
  const adminUrl = `postgres://${ADMIN_ROLE}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  const stopArgs = ["-D", pgdata, "-m", "immediate", "-w", "stop"];
  const cluster: Cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    adminUrl,
    port,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await run(`${pgBin}/pg_ctl`, stopArgs, true);
      } finally {
        await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      }
    },
    stopSync() {
      if (stopped) return;
      stopped = true;
      const [bin, args] = isRoot()
        ? ["runuser", ["-u", "postgres", "--", `${pgBin}/pg_ctl`, ...stopArgs]]
        : [`${pgBin}/pg_ctl`, stopArgs];
      try {
        new Deno.Command(bin, { args, stdout: "null", stderr: "null" }).outputSync();
      } finally {
        try {
          Deno.removeSync(dataDir, { recursive: true });
        } catch {
          // Already gone.
        }
      }
    },
  };
  try {
    await run("psql", [adminUrl, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", BOOTSTRAP_SQL], false);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
