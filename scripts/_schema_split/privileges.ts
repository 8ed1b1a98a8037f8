/**
 * The grants a schema file must undo. On a hosted project every table,
 * sequence and function `postgres` creates in `public` is granted to the API
 * roles by the platform's default privileges (supabase/local/00_roles.sql;
 * supabase/postgres `00000000000000-initial-schema.sql`), and the migrations
 * revoke what they do not want. pg_dump prints an object's grants relative to
 * the owner-only default, so its `GRANT`s alone, applied where the default
 * privileges hold, would leave the API roles' grants in place. Each object the
 * default privileges cover gets its ACL entry prefixed by a `REVOKE ALL` from
 * those roles (the migrations' own idiom); one with no ACL entry gets just that.
 */
import type { DumpEntry } from "../../supabase/local/catalog.ts";

const KINDS: Record<string, [string, string]> = {
  TABLE: ["TABLES", "TABLE"],
  VIEW: ["TABLES", "TABLE"],
  SEQUENCE: ["SEQUENCES", "SEQUENCE"],
  FUNCTION: ["FUNCTIONS", "FUNCTION"],
};

/** `schema ON-KIND` → roles, from the platform's `DEFAULT ACL` entries. */
function defaultGrantees(platform: DumpEntry[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of platform.filter((e) => e.type === "DEFAULT ACL")) {
    for (const m of e.sql.matchAll(/IN SCHEMA (\w+) GRANT \w+ ON (\w+)\s+TO (\w+);/g)) {
      const key = `${m[1]} ${m[2]}`;
      out.set(key, [...(out.get(key) ?? []), m[3]]);
    }
  }
  return out;
}

const argCount = (sig: string) =>
  sig.replace(/^[^(]*\(|\)$/g, "").split(",").filter(Boolean).length;

/** pg_dump names a function by its argument types, but its ACL by names and types. */
function sameObject(aclName: string, name: string): boolean {
  if (!name.startsWith("FUNCTION ")) return aclName === name;
  return aclName.split("(")[0] === name.split("(")[0] && argCount(aclName) === argCount(name);
}

/** One `REVOKE ALL` line: pg_dump's own `REVOKE ALL ... FROM PUBLIC;` joins the roles'. */
function withRevoke(revoke: string, acl: string): string {
  const [first, ...rest] = acl.split("\n");
  if (/^REVOKE ALL ON .* FROM PUBLIC;$/.test(first)) {
    return [`${first.slice(0, -1)}, ${revoke.match(/ FROM (.*);$/)![1]};`, ...rest].join("\n");
  }
  return `${revoke}\n${acl}`;
}

/**
 * `entries` with a `REVOKE ALL ... FROM <default grantees>` in front of the
 * grants of every object that default privileges cover.
 *
 * @param platform the entries of the database before the migrations.
 * @example
 * revokeDefaults(projectEntries, platformEntries);
 */
export function revokeDefaults(entries: DumpEntry[], platform: DumpEntry[]): DumpEntry[] {
  const grantees = defaultGrantees(platform);
  const out = [...entries];
  for (const e of entries) {
    const kind = KINDS[e.type];
    const roles = kind && grantees.get(`${e.schema} ${kind[0]}`);
    if (!kind || !roles) continue;
    const name = `${kind[1]} ${e.name}`;
    const revoke = `REVOKE ALL ON ${kind[1]} ${e.schema}.${e.name} FROM ${roles.join(", ")};`;
    const i = out.findIndex((a) =>
      a.type === "ACL" && a.schema === e.schema && sameObject(a.name, name)
    );
    if (i >= 0) out[i] = { ...out[i], sql: withRevoke(revoke, out[i].sql) };
    else out.push({ name, type: "ACL", schema: e.schema, sql: revoke });
  }
  return out;
}
