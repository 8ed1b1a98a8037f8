import assert from "node:assert/strict";
import type { DumpEntry } from "../../supabase/local/catalog.ts";
import { planFiles } from "./plan.ts";
import { revokeDefaults } from "./privileges.ts";

const e = (type: string, name: string, sql: string, schema = "public"): DumpEntry => ({
  type,
  name,
  schema,
  sql,
});

// pg_dump's order: functions, tables (by name), then constraints, indexes, triggers, ACLs.
// sync_outer calls sync_inner, which pg_dump would create after it.
const DUMP: DumpEntry[] = [
  e("FUNCTION", "current_org_id()", "CREATE FUNCTION public.current_org_id() ..."),
  e("FUNCTION", "sync_outer()", "CREATE FUNCTION public.sync_outer() ... public.sync_inner() ..."),
  e("FUNCTION", "touch()", "CREATE FUNCTION public.touch() RETURNS trigger ..."),
  e("FUNCTION", "sync_inner()", "CREATE FUNCTION public.sync_inner() ..."),
  e("TABLE", "bots", "CREATE TABLE public.bots (...);"),
  e("TABLE", "organizations", "CREATE TABLE public.organizations (...);"),
  e("TABLE", "widgets", "CREATE TABLE public.widgets (...);"),
  e("VIEW", "overview", "CREATE VIEW public.overview AS ..."),
  e("INDEX", "bots_org_idx", "CREATE INDEX bots_org_idx ON public.bots USING btree (org_id);"),
  e("TRIGGER", "bots bots_touch", "CREATE TRIGGER ... EXECUTE FUNCTION public.touch();"),
  e("FK CONSTRAINT", "bots bots_org_fkey", "... REFERENCES public.organizations(id);"),
  e("POLICY", "bots bots_own", "CREATE POLICY bots_own ON public.bots ..."),
  e("ACL", "TABLE bots", "GRANT SELECT ON TABLE public.bots TO service_role;"),
  e("SCHEMA", "edge_guard", "CREATE SCHEMA edge_guard;", "-"),
];

Deno.test("planFiles: tables numbered by TABLE_ORDER with their parts, functions by area", () => {
  const files = planFiles(DUMP);
  const names = (f: string) => files.find((x) => x.name === f)?.entries.map((x) => x.name);
  assert.deepEqual(files.map((f) => f.name), [
    "0000_schemas.sql",
    "0050_current_org_id.sql",
    "0100_organizations.sql",
    "1100_bots.sql",
    "1900_widgets.sql",
    "3300_functions_odoo_sync.sql",
    "4100_overview.sql",
  ]);
  assert.deepEqual(names("1100_bots.sql"), [
    "touch()",
    "bots",
    "bots_org_idx",
    "bots bots_touch",
    "bots bots_org_fkey",
    "bots bots_own",
    "TABLE bots",
  ]);
  assert.deepEqual(names("3300_functions_odoo_sync.sql"), ["sync_inner()", "sync_outer()"]);
});

Deno.test("planFiles: a listed table that would precede a table it references is an error", () => {
  const fk = e("FK CONSTRAINT", "organizations o_fkey", "... REFERENCES public.bots(id);");
  assert.throws(() => planFiles([...DUMP, fk]), /organizations references public\.bots/);
});

Deno.test("revokeDefaults: the platform's default grants are revoked before the object's own", () => {
  const platform = [
    e(
      "DEFAULT ACL",
      "DEFAULT PRIVILEGES FOR TABLES",
      [
        "ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES  TO anon;",
        "ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES  TO authenticated;",
      ].join("\n"),
    ),
  ];
  const out = revokeDefaults([
    e("TABLE", "bots", "CREATE TABLE public.bots ();"),
    e("TABLE", "alerts", "CREATE TABLE public.alerts ();"),
    e("TABLE", "t", "CREATE TABLE edge_guard.t ();", "edge_guard"),
    e("ACL", "TABLE bots", "GRANT SELECT ON TABLE public.bots TO service_role;"),
  ], platform);
  assert.deepEqual(out.filter((x) => x.type === "ACL").map((x) => x.sql), [
    "REVOKE ALL ON TABLE public.bots FROM anon, authenticated;\n" +
    "GRANT SELECT ON TABLE public.bots TO service_role;",
    "REVOKE ALL ON TABLE public.alerts FROM anon, authenticated;",
  ]);
});
