/**
 * Database helpers for tests. Every test file shares one PostgreSQL database:
 * `./dev test` provides it through `TEST_DATABASE_URL`; a file run alone
 * (`./dev test some_test.ts`) gets a throwaway cluster with the local stack
 * applied, started once per process and stopped when the process exits.
 */
import postgres from "postgres";
import { startCluster } from "../../supabase/local/cluster.ts";
import { applyLocalStack } from "../../supabase/local/apply.ts";

/** A postgres.js client. */
export type Sql = postgres.Sql;

let ownCluster: Promise<string> | undefined;

async function startOwnCluster(): Promise<string> {
  const cluster = await startCluster();
  globalThis.addEventListener("unload", () => cluster.stopSync());
  try {
    await applyLocalStack(cluster.url, { passes: 2 });
  } catch (err) {
    cluster.stopSync();
    throw err;
  }
  return cluster.url;
}

/**
 * The URL of the test database, as the non-superuser `postgres` role (as on hosted
 * Supabase; `adminUrlFor(url)` from supabase/local/cluster.ts is the superuser).
 *
 * @param env where `TEST_DATABASE_URL` is read. Default: `Deno.env`. When it is
 *   unset, a cluster is started (once per process) and the local stack applied.
 * @returns a `postgres://` URL.
 * @example
 * const sql = connect(await testDatabaseUrl());
 */
export function testDatabaseUrl(env: Pick<typeof Deno.env, "get"> = Deno.env): Promise<string> {
  const url = env.get("TEST_DATABASE_URL");
  if (url) return Promise.resolve(url);
  ownCluster ??= startOwnCluster();
  return ownCluster;
}

/**
 * Opens a postgres.js client. Tests must `await sql.end()` (Deno's sanitizers
 * fail a test that leaves a connection open).
 *
 * @param url a database URL, usually from {@linkcode testDatabaseUrl}.
 * @param options `max` pool size (default 4) and `onnotice` (default: drop notices).
 * @returns the client.
 * @example
 * const sql = connect(await testDatabaseUrl());
 * try { await sql`select 1`; } finally { await sql.end(); }
 */
export function connect(url: string, options: ConnectOptions = {}): Sql {
  return postgres(url, { max: options.max ?? 4, onnotice: options.onnotice ?? (() => {}) });
}

/** Options for {@linkcode connect}. */
export interface ConnectOptions {
  /** Pool size. Default: 4. */
  max?: number;
  /** Receives server notices. Default: drops them. */
  onnotice?: (notice: postgres.Notice) => void;
}

/** The application tables that {@linkcode resetAppData} empties. */
export const APP_TABLES: readonly string[] = [
  "organizations",
  "integration_credentials",
  "crm_leads",
  "crm_lead_messages",
  "sync_cursors",
  "sync_runs",
  "bots",
  "bot_runs",
  "sla_policies",
  "sla_breaches",
];

/**
 * Empties the application tables (not cron.job, Vault or the net queue), so a
 * test file can start clean.
 *
 * @param sql a `postgres` or service_role client.
 * @example
 * await resetAppData(sql);
 */
export async function resetAppData(sql: Sql): Promise<void> {
  const list = APP_TABLES.map((t) => `public.${t}`).join(", ");
  await sql.unsafe(`truncate table ${list} restart identity cascade`);
}
