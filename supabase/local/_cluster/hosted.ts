/**
 * The part of a throwaway cluster's configuration that makes it a hosted
 * Supabase database: which libraries are loaded, supautils' settings, the
 * extension scripts supautils runs, and Vault's root key. Imported only by
 * `cluster.ts`.
 *
 * Sources (supabase/postgres):
 * - ansible/files/postgresql_config/postgresql.conf.j2: `shared_preload_libraries`
 *   holds pg_cron and pg_net (and supabase_vault since Vault 0.3 loads its key
 *   at preload), `cron.database_name = 'postgres'`;
 * - ansible/tasks/internal/supautils.yml and ansible/files/postgresql_config/conf.d/supautils.conf:
 *   supautils is loaded per session (`session_preload_libraries = 'supautils'`,
 *   not shared), with the settings below; `supautils.reserved_roles` from
 *   ansible/files/postgresql_config/supautils.conf.j2;
 * - ansible/files/postgresql_extension_custom_scripts/: the after-create
 *   scripts copied from `supabase/local/extension-custom-scripts/`.
 *
 * @module
 */

/**
 * The extensions the non-superuser `postgres` creates through supautils (as
 * `supabase_admin`): hosted's list, verbatim (pgmq is left out there too: it
 * needs no superuser). Names not installed here are harmless.
 */
const PRIVILEGED_EXTENSIONS =
  "address_standardizer, address_standardizer_data_us, autoinc, bloom, btree_gin, btree_gist, " +
  "citext, cube, dblink, dict_int, dict_xsyn, earthdistance, fuzzystrmatch, hstore, http, " +
  "hypopg, index_advisor, insert_username, intarray, isn, ltree, moddatetime, orioledb, " +
  "pg_buffercache, pg_cron, pg_graphql, pg_hashids, pg_jsonschema, pg_net, pg_prewarm, " +
  "pg_repack, pg_stat_monitor, pg_stat_statements, pg_tle, pg_trgm, pg_walinspect, pgaudit, " +
  "pgcrypto, pgjwt, pgroonga, pgroonga_database, pgrouting, pgrowlocks, pgsodium, " +
  "pgstattuple, pgtap, plcoffee, pljava, plls, plpgsql_check, plv8, postgis, postgis_raster, " +
  "postgis_sfcgal, postgis_tiger_geocoder, postgis_topology, postgres_fdw, refint, rum, seg, " +
  "sslinfo, supabase_vault, supautils, tablefunc, tcn, timescaledb, tsm_system_rows, " +
  "tsm_system_time, unaccent, uuid-ossp, vector, wrappers";

const RESERVED_ROLES =
  "supabase_admin, supabase_auth_admin, supabase_storage_admin, supabase_read_only_user, " +
  "supabase_replication_admin, dashboard_user, pgbouncer, service_role*, authenticator*, " +
  "authenticated*, anon*";

const RESERVED_MEMBERSHIPS =
  "pg_read_server_files, pg_write_server_files, pg_execute_server_program, supabase_admin, " +
  "supabase_auth_admin, supabase_storage_admin, supabase_read_only_user, " +
  "supabase_realtime_admin, supabase_replication_admin, supabase_etl_admin, dashboard_user, " +
  "pgbouncer, authenticator";

const ALLOWED_CONFIGS =
  "auto_explain.*, log_lock_waits, log_min_duration_statement, log_min_messages, " +
  "log_parameter_max_length, log_replication_commands, log_statement, log_temp_files, " +
  "pg_net.batch_size, pg_net.ttl, pg_stat_statements.*, pgaudit.log, pgaudit.log_catalog, " +
  "pgaudit.log_client, pgaudit.log_level, pgaudit.log_relation, pgaudit.log_rows, " +
  "pgaudit.log_statement, pgaudit.log_statement_once, pgaudit.role, pgrst.*, plan_filter.*, " +
  "safeupdate.enabled, session_replication_role, track_io_timing, wal_compression";

/** Paths of the per-cluster files that {@linkcode writeHostedFiles} creates. */
export interface HostedFiles {
  /** The program Vault runs at start to read its root key. */
  getkeyScript: string;
  /** supautils' `extension_custom_scripts_path`. */
  customScripts: string;
}

/** The `postgresql.conf` lines of a hosted database, for the files in `files`. */
export function hostedConf(files: HostedFiles): string[] {
  const list = (xs: string) => `'${xs}'`;
  return [
    `shared_preload_libraries = 'pg_cron, pg_net, supabase_vault'`,
    `session_preload_libraries = 'supautils'`,
    `cron.database_name = 'postgres'`,
    // pg_net's defaults (src/worker.c), written out because the watchdog and the
    // dispatcher reason about them: the worker's database, batch and response TTL.
    `pg_net.database_name = 'postgres'`,
    `pg_net.batch_size = 200`,
    `pg_net.ttl = '6 hours'`,
    `vault.getkey_script = '${files.getkeyScript}'`,
    `supautils.extension_custom_scripts_path = '${files.customScripts}'`,
    `supautils.extensions_parameter_overrides = '{"pg_cron":{"schema":"pg_catalog"}}'`,
    `supautils.privileged_extensions = ${list(PRIVILEGED_EXTENSIONS)}`,
    `supautils.privileged_extensions_superuser = 'supabase_admin'`,
    `supautils.privileged_role = 'postgres'`,
    `supautils.privileged_role_allowed_configs = ${list(ALLOWED_CONFIGS)}`,
    `supautils.reserved_memberships = ${list(RESERVED_MEMBERSHIPS)}`,
    `supautils.reserved_roles = ${list(RESERVED_ROLES)}`,
  ];
}

const SCRIPTS_SOURCE = new URL("../extension-custom-scripts/", import.meta.url).pathname;

/** A random 32-byte key as 64 hex digits: the format Vault's `_PG_init` requires. */
export function vaultRootKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Writes Vault's getkey script (with a fresh key) and copies supautils'
 * extension scripts into `dir` (inside the cluster's temp dir, so the
 * `postgres` OS user that runs the server can read them once it owns `dir`).
 *
 * supabase_vault 0.3.1 src/supabase_vault.c `_PG_init`: at preload it checks
 * the script is executable, `popen`s it, reads ONE line, strips its newline,
 * requires exactly 64 characters and hex-decodes them as the root key; a
 * missing script or a wrong length stops the server from starting.
 */
export async function writeHostedFiles(dir: string): Promise<HostedFiles> {
  const keyFile = `${dir}/vault-root.key`;
  const getkeyScript = `${dir}/vault-getkey`;
  const customScripts = `${dir}/extension-custom-scripts`;
  await Deno.writeTextFile(keyFile, `${vaultRootKey()}\n`, { mode: 0o600 });
  await Deno.writeTextFile(getkeyScript, `#!/bin/sh\nexec cat '${keyFile}'\n`, { mode: 0o700 });
  await Deno.chmod(getkeyScript, 0o700);
  for await (const ext of Deno.readDir(SCRIPTS_SOURCE)) {
    if (!ext.isDirectory) continue;
    await Deno.mkdir(`${customScripts}/${ext.name}`, { recursive: true });
    for await (const f of Deno.readDir(`${SCRIPTS_SOURCE}${ext.name}`)) {
      if (f.isFile) {
        await Deno.copyFile(
          `${SCRIPTS_SOURCE}${ext.name}/${f.name}`,
          `${customScripts}/${ext.name}/${f.name}`,
        );
      }
    }
  }
  return { getkeyScript, customScripts };
}
