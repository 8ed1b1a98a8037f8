/**
 * Applies the roles and grants a hosted project has before any migration
 * (`supabase/local/*.sql`) as the bootstrap superuser `supabase_admin`, then
 * Supabase Auth's own migrations (`auth migrate`, supabase/local/auth.ts: the
 * `auth` schema RLS policies read), and then every migration
 * (`supabase/migrations/*.sql`) in order as the non-superuser `postgres`, as
 * the Supabase CLI does on a hosted project; psql with ON_ERROR_STOP.
 * Local stack and tests only.
 */
import { adminUrlFor } from "./cluster.ts";
import { migrateAuth } from "./auth.ts";

const root = new URL("../", import.meta.url).pathname;

async function sqlFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(`${root}${dir}`)) {
    if (e.isFile && e.name.endsWith(".sql")) names.push(`${root}${dir}/${e.name}`);
  }
  return names.sort();
}

/** Runs one SQL file through psql; throws with psql's output on error. */
export async function psqlFile(url: string, file: string): Promise<void> {
  const out = await new Deno.Command("psql", {
    args: [url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file],
    stdout: "piped",
    stderr: "piped",
    env: { PGOPTIONS: "--client-min-messages=warning" },
  }).output();
  if (!out.success) {
    throw new Error(`psql ${file} failed: ${new TextDecoder().decode(out.stderr).slice(-3000)}`);
  }
}

/** Options for {@linkcode applyLocalStack}. */
export interface ApplyOptions {
  /** How many times to apply the migrations (2 proves idempotence). Default 1. */
  passes?: number;
  /**
   * What builds the project's objects: `"migrations"` (the history,
   * `supabase/migrations/*.sql`) or `"schemas"` (the declared current shape,
   * `supabase/schemas/*.sql`; docs/database.md). Default `"migrations"`.
   */
  from?: "migrations" | "schemas";
}

/**
 * What a hosted project has before its first migration: the local roles,
 * grants and extensions (`supabase/local/*.sql`, as `supabase_admin`) and
 * Supabase Auth's migrations (needs `EDGE_GUARD_AUTH_BIN`, set by `./dev`).
 *
 * @param url the cluster's `postgres` URL (`Cluster.url` from cluster.ts).
 * @example
 * await applyPlatform(cluster.url);
 */
export async function applyPlatform(url: string): Promise<void> {
  const admin = adminUrlFor(url);
  for (const f of await sqlFiles("local")) await psqlFile(admin, f);
  await migrateAuth(url);
}

/**
 * Applies the project's SQL (`options.from`, default the migrations) in file
 * order, `passes` times, as the role in `url` (normally `postgres`).
 *
 * @example
 * await applyProject(cluster.url, { from: "schemas" });
 */
export async function applyProject(url: string, options: ApplyOptions = {}): Promise<void> {
  const files = await sqlFiles(options.from ?? "migrations");
  for (let i = 0; i < (options.passes ?? 1); i++) {
    for (const f of files) await psqlFile(url, f);
  }
}

/**
 * Applies the platform once ({@linkcode applyPlatform}: the local roles,
 * grants and extensions, Auth's migrations), then the migrations (or the
 * schemas, `options.from`) `passes` times as the role in `url`, normally the
 * non-superuser `postgres`.
 *
 * @param url the cluster's `postgres` URL (`Cluster.url` from cluster.ts).
 * @example
 * await applyLocalStack(cluster.url, { passes: 2 });
 */
export async function applyLocalStack(url: string, options: ApplyOptions = {}): Promise<void> {
  await applyPlatform(url);
  await applyProject(url, options);
}
