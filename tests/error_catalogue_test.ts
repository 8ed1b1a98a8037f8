/**
 * The error catalogue (supabase/functions/_shared/error-catalogue.ts) is the
 * one list of codes: the SQL of the migrations uses no code-shaped literal the
 * catalogue does not know, every code the catalogue says SQL produces is
 * produced by it, and the functions' own code literals are catalogued.
 */
import assert from "node:assert/strict";
import {
  codesOf,
  type DeclaredTwice,
  ERROR_CATALOGUE,
  type ErrorCode,
  isErrorCode,
} from "../supabase/functions/_shared/error-catalogue.ts";
import { ADDRESS_CLASSES } from "../supabase/functions/_shared/outbound.ts";
import { connect, testDatabaseUrl } from "./support/db.ts";
import { codeLiterals, sqlLiterals } from "./support/sql_literals.ts";

// Names the database's catalog does not know but the SQL uses as text:
const NOT_CODES = new Set([
  // Vault secret names (vault.secrets rows exist only once an operator creates them).
  "project_url",
  "service_role_key",
  "alert_webhook_url",
  // JSON keys of Supabase Auth's JWT claims (`app_metadata.claims.organization_id`).
  "app_metadata",
  "organization_id",
  // JSON key of the watchdog's webhook notification.
  "alert_id",
  // The sync queue (issue 26): pgmq queue names (its tables are q_<name>, a_<name>), JSON keys
  // of a queue message and of a worker's wake-up body, keys of edge_guard_prune's summary.
  "odoo_sync_crm",
  "odoo_sync_chatter",
  "due_at",
  "worker_id",
  "archive_crm",
  "archive_chatter",
  "call_outcomes",
  "cron_requests",
  // The outbound policy's address classes (edge_guard.address_class): IANA ranges, not failures;
  // the refusal `address` carries one.
  ...ADDRESS_CLASSES,
]);

// Every name the database's catalog knows: relations, columns, functions,
// schemas, roles, extensions, types, triggers, constraints, settings, cron jobs.
const IDENTIFIERS = `
  select relname::text as name from pg_catalog.pg_class
  union select attname::text from pg_catalog.pg_attribute where attnum > 0
  union select proname::text from pg_catalog.pg_proc
  union select nspname::text from pg_catalog.pg_namespace
  union select rolname::text from pg_catalog.pg_roles
  union select name::text from pg_catalog.pg_available_extensions
  union select typname::text from pg_catalog.pg_type
  union select tgname::text from pg_catalog.pg_trigger
  union select conname::text from pg_catalog.pg_constraint
  union select name::text from pg_catalog.pg_settings
  union select jobname::text from cron.job where jobname is not null`;

async function migrationSql(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const dir of ["supabase/migrations", "supabase/schemas"]) {
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.isFile && entry.name.endsWith(".sql")) {
          files.set(`${dir}/${entry.name}`, await Deno.readTextFile(`${dir}/${entry.name}`));
        }
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return files;
}

/** Code-shaped literals that are neither known names nor catalogued codes, by file. */
function uncatalogued(files: Map<string, string>, known: Set<string>): string[] {
  const problems: string[] = [];
  for (const [file, text] of files) {
    for (const literal of codeLiterals(text)) {
      if (known.has(literal) || NOT_CODES.has(literal) || isErrorCode(literal)) continue;
      problems.push(`${file}: '${literal}' is not in the error catalogue`);
    }
  }
  return problems.sort();
}

async function knownIdentifiers(): Promise<Set<string>> {
  const sql = connect(await testDatabaseUrl(), { max: 1 });
  try {
    const rows = await sql.unsafe<{ name: string }[]>(IDENTIFIERS);
    return new Set(rows.map((r) => r.name));
  } finally {
    await sql.end();
  }
}

Deno.test("sql literals: strings, escapes, comments and dollar quotes", () => {
  const cases: [string, string, string[]][] = [
    ["plain", "select 'odoo_timeout', 'a b'", ["odoo_timeout", "a b"]],
    ["doubled quote", "select 'it''s', '''x'", ["it's", "'x"]],
    ["E string", "select E'a\\'b'", ["a'b"]],
    ["line comment", "select 1 -- 'not_this'\n, 'this_one'", ["this_one"]],
    ["block comment", "/* 'not_this' */ select 'yes'", ["yes"]],
    ["dollar body", "as $$ select 'in_body' $$; do $cmd$ 'in_cmd' $cmd$", ["in_body", "in_cmd"]],
  ];
  for (const [name, sql, want] of cases) assert.deepEqual(sqlLiterals(sql), want, name);
});

Deno.test("every code-shaped literal of the SQL is a catalogued code or a known name", async () => {
  const known = await knownIdentifiers();
  const files = await migrationSql();
  assert.ok(files.size > 0, "no migrations found");
  assert.deepEqual(uncatalogued(files, known), []);
  // The same check flags a code nothing declares (the admin page's old `odoo_unavailable`).
  const planted = new Map([["x.sql", "select 'odoo_unavailable', 'odoo_timeout', 'sync_runs'"]]);
  assert.deepEqual(uncatalogued(planted, known), [
    "x.sql: 'odoo_unavailable' is not in the error catalogue",
  ]);
});

Deno.test("every code the catalogue says SQL produces is in the SQL", async () => {
  const used = new Set<string>();
  for (const text of (await migrationSql()).values()) {
    for (const literal of codeLiterals(text)) used.add(literal);
  }
  const sqlCodes = Object.keys(ERROR_CATALOGUE).filter((code) =>
    ERROR_CATALOGUE[code as ErrorCode].origin === "sql"
  );
  assert.ok(sqlCodes.length >= 12, "the watchdog's checks are catalogued");
  assert.deepEqual(sqlCodes.filter((code) => !used.has(code)), []);
  assert.deepEqual(codesOf("alert").filter((code) => !used.has(code)), []);
});

// Compiles only while no code is declared in two parts of the catalogue.
const declaredTwice: [DeclaredTwice] extends [never] ? [] : [DeclaredTwice] = [];

Deno.test("catalogue: no code twice, and each kind has what it needs", () => {
  assert.deepEqual(declaredTwice, []);
  for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
    const e: { kinds: readonly string[]; status?: number; scope?: string } = entry;
    const answered = e.kinds.includes("client") || e.kinds.includes("platform");
    assert.equal(answered, typeof e.status === "number", `${code}: status`);
    assert.equal(e.kinds.includes("alert"), e.scope !== undefined, `${code}: scope`);
    assert.equal(e.kinds.includes("platform"), entry.origin === "platform", `${code}: origin`);
    // The platform writes its codes in upper case; ours are lower case.
    const shape = entry.origin === "platform"
      ? /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/
      : /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
    assert.match(code, shape, code);
    for (const field of ["title", "meaning", "action"] as const) {
      assert.ok(entry[field].trim() !== "" && !entry[field].includes("|"), `${code}.${field}`);
    }
  }
});

// `error: "x"`, `reason: "x"`, `errorJson("x"`, `refuse("x"` and the like in shipped code.
const EMITTED =
  /\b(?:error|reason|rejection_reason|errorSummary|errorJson|refuse)\s*(?::|=|\()\s*"([a-z][a-z0-9_]*)"/g;

// RFC 6750's `error` attribute of WWW-Authenticate: the standard's code, not ours.
const NOT_EMITTED = new Set(["insufficient_scope"]);

async function* shippedTypeScript(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* shippedTypeScript(path);
    else if (path.endsWith(".ts") && !path.endsWith("_test.ts")) yield path;
  }
}

Deno.test("every code literal the functions and the admin page emit is catalogued", async () => {
  const problems: string[] = [];
  let seen = 0;
  for (const dir of ["supabase/functions", "admin"]) {
    for await (const file of shippedTypeScript(dir)) {
      for (const m of (await Deno.readTextFile(file)).matchAll(EMITTED)) {
        seen++;
        const code = m[1].replace(/^service_jwt_/, "");
        if (isErrorCode(code) || NOT_EMITTED.has(code) || !code.includes("_")) continue;
        problems.push(`${file}: "${m[1]}"`);
      }
    }
  }
  assert.ok(seen > 20, `only ${seen} code literals found: the pattern broke`);
  assert.deepEqual(problems, []);
});

Deno.test("an alert's scope is the SQL's: project-wide exactly where the catalogue says project", async () => {
  const sql = connect(await testDatabaseUrl(), { max: 1 });
  try {
    const codes = codesOf("alert");
    const rows = await sql<{ code: string; wide: boolean }[]>`
      select c as code, edge_guard.alert_project_wide(c) as wide from unnest(${codes}::text[]) c`;
    const sqlWide = rows.filter((r) => r.wide).map((r) => r.code).sort();
    const catalogued = codes.filter((c) => ERROR_CATALOGUE[c].scope === "project").sort();
    assert.ok(catalogued.length >= 8 && catalogued.length < codes.length);
    assert.deepEqual(sqlWide, catalogued);
  } finally {
    await sql.end();
  }
});

async function localSources(dir: string): Promise<string> {
  let text = "";
  for await (const file of shippedTypeScript(dir)) text += await Deno.readTextFile(file);
  return text;
}

Deno.test("every platform code is answered by the local stack's runtime or gateway", async () => {
  const local = await localSources("supabase/local");
  const codes = codesOf("platform");
  assert.ok(codes.includes("WORKER_LIMIT") && codes.includes("BOOT_ERROR"));
  assert.deepEqual(codes.filter((code) => !local.includes(`"${code}"`)), []);
});
