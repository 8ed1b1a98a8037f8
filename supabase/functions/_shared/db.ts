/**
 * Database access for the functions: one postgres.js pool per process, built
 * from `SUPABASE_DB_URL` (injected by hosted Supabase), and a helper that runs
 * work as the `service_role` database role, so RLS and grants apply exactly as
 * they do for the platform's own service-role requests.
 *
 * Creating the pool does not connect; the first query does. Functions create
 * it at start-up and only query after the auth guard has passed.
 */
import postgres from "npm:postgres@3.4.9";

/** A postgres.js client (pool). */
export type Sql = postgres.Sql;
/** A postgres.js transaction client. */
export type Tx = postgres.TransactionSql;

/** Options for {@linkcode createSql}. */
export interface SqlOptions {
  /** Pool size. Default 4 (an Edge Function isolate handles few requests at once). */
  max?: number;
}

/**
 * Creates a pool for `url`. `prepare: false` keeps it compatible with
 * Supabase's transaction-mode pooler.
 *
 * @param url a postgres connection URL, e.g. `SUPABASE_DB_URL`.
 * @example
 * const sql = createSql(Deno.env.get("SUPABASE_DB_URL")!);
 */
export function createSql(url: string, options: SqlOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 4,
    prepare: false,
    idle_timeout: 20,
    connect_timeout: 10,
    onnotice: () => {},
  });
}

/**
 * Runs `fn` in a transaction as the `service_role` database role.
 *
 * @example
 * const rows = await asServiceRole(sql, (tx) => tx`select 1 as one`);
 */
export function asServiceRole<T>(sql: Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`set local role service_role`;
    return await fn(tx);
  }) as Promise<T>;
}
