/**
 * Throwaway PostgreSQL 15 clusters configured as a hosted Supabase database,
 * for tests and the local stack. Never used against a real Supabase project.
 *
 * The real extensions (built and installed by tools/third_party.sh): pg_cron,
 * pg_net and supabase_vault preloaded, supautils loaded per session, Vault's
 * root key from a getkey script written per cluster (`_cluster/hosted.ts`).
 *
 * Roles as on hosted Supabase: the bootstrap superuser is `supabase_admin`
 * (it applies the roles and grants in `supabase/local/*.sql`, and supautils
 * creates privileged extensions as it), and `postgres`, the role migrations,
 * tests and cron jobs use, is NOT a superuser:
 * `NOSUPERUSER CREATEDB CREATEROLE LOGIN REPLICATION BYPASSRLS`
 * (supabase/postgres migrations/db/migrations/10000000000000_demote-postgres.sql)
 * and owns the database (migrations/db/migrate.sh: `alter database postgres
 * owner to postgres`), hence the `public` schema.
 *
 * Under root, initdb and postgres refuse to run, so both run as the `postgres`
 * OS user through `runuser` (the data directory is chowned to it).
 *
 * Signals: a terminal's Ctrl-C reaches its whole foreground process group. The
 * PostgreSQL commands run in their own session (`setsid`), so that signal
 * reaches only the program that owns the cluster, which then stops it; the
 * postmaster is in its own session anyway (pg_ctl calls setsid(2) for it).
 * Stopping tolerates a server that already stopped or is shutting down.
 */

import { hostedConf, writeHostedFiles } from "./_cluster/hosted.ts";

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

const SETSID = "/usr/bin/setsid";
const hasSetsid = (() => {
  try {
    return Deno.statSync(SETSID).isFile;
  } catch {
    return false;
  }
})();

/** `[program, args]` for `cmd`: as the postgres user under root, in its own session when possible. */
function commandLine(cmd: string, args: string[], asPostgres: boolean): [string, string[]] {
  const argv = asPostgres && isRoot() ? ["runuser", "-u", "postgres", "--", cmd, ...args] : [
    cmd,
    ...args,
  ];
  return hasSetsid ? [SETSID, ["--wait", ...argv]] : [argv[0], argv.slice(1)];
}

async function run(cmd: string, args: string[], asPostgres: boolean): Promise<string> {
  const [bin, argv] = commandLine(cmd, args, asPostgres);
  const out = await new Deno.Command(bin, { args: argv, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd} failed (${out.code}): ${text.slice(-2000)}`);
  return text;
}

/** Whether `pg_ctl status` finds a server running on `pgdata` (exit 3: none, 4: no data dir). */
function serverRunning(pgBin: string, pgdata: string): boolean {
  const [bin, args] = commandLine(`${pgBin}/pg_ctl`, ["-D", pgdata, "status"], true);
  return new Deno.Command(bin, { args, stdout: "null", stderr: "null" }).outputSync().code === 0;
}

/** `pg_ctl stop -m immediate`; a server that is already gone (or went meanwhile) is not an error. */
async function stopServer(pgBin: string, pgdata: string): Promise<void> {
  try {
    await run(`${pgBin}/pg_ctl`, ["-D", pgdata, "-m", "immediate", "-w", "stop"], true);
  } catch (err) {
    if (serverRunning(pgBin, pgdata)) throw err;
  }
}

function stopServerSync(pgBin: string, pgdata: string): void {
  const stop = ["-D", pgdata, "-m", "immediate", "-w", "stop"];
  const [bin, args] = commandLine(`${pgBin}/pg_ctl`, stop, true);
  new Deno.Command(bin, { args, stdout: "null", stderr: "null" }).outputSync();
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

/**
 * Returns a TCP port that is free on 127.0.0.1 right now, chosen below the
 * ephemeral range (Linux: 32768-60999; port 0 would pick from it). A port is
 * often bound a while after it is chosen (the stack writes it into Vault and
 * the functions' environment first); meanwhile any outgoing connection
 * (PostgreSQL, pg_net, Auth) may take an ephemeral port as its local port,
 * and the later bind failed with AddrInUse. Falls back to port 0.
 */
export function freePort(): number {
  for (let i = 0; i < 100; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch (err) {
      if (!(err instanceof Deno.errors.AddrInUse)) throw err;
    }
  }
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * Starts a fresh cluster in a temp dir, configured as hosted Supabase (see the module doc).
 *
 * @example
 * const c = await startCluster();
 * try { console.log(c.url); } finally { await c.stop(); }
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const pgBin = options.pgBin ?? Deno.env.get("PG_BIN") ?? "/usr/lib/postgresql/15/bin";
  const port = options.port ?? freePort();
  const dataDir = await Deno.makeTempDir({ prefix: "edge-guard-pg-" });
  const pgdata = `${dataDir}/data`;
  try {
    await initAndStart(pgBin, dataDir, port, options.extraConf ?? []);
  } catch (err) {
    // initdb or pg_ctl failed (or was killed): leave no server and no directory behind.
    await stopServer(pgBin, pgdata).catch(() => {});
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    throw err;
  }
  const adminUrl = `postgres://${ADMIN_ROLE}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  const cluster: Cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    adminUrl,
    port,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await stopServer(pgBin, pgdata);
      } finally {
        await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      }
    },
    stopSync() {
      if (stopped) return;
      stopped = true;
      try {
        stopServerSync(pgBin, pgdata);
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

async function initAndStart(pgBin: string, dataDir: string, port: number, extraConf: string[]) {
  const files = await writeHostedFiles(dataDir);
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
    ...hostedConf(files),
    `cron.use_background_workers = on`,
    `max_worker_processes = 32`,
    `fsync = off`,
    `synchronous_commit = off`,
    `full_page_writes = off`,
    `log_min_messages = warning`,
    ...extraConf,
  ].join("\n");
  await Deno.writeTextFile(`${pgdata}/postgresql.conf`, `\n${conf}\n`, { append: true });
  await run(`${pgBin}/pg_ctl`, ["-D", pgdata, "-l", `${dataDir}/server.log`, "-w", "start"], true);
}
