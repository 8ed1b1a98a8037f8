/**
 * Reading `pg_dump --schema-only` output as a list of entries, one per object,
 * by the header pg_dump writes before each (`-- Name: ...; Type: ...; Schema:
 * ...; Owner: ...`; pg_backup_archiver.c, `_printTocEntry`).
 */

/** One object of a dump. */
export interface DumpEntry {
  /** pg_dump's name: `organizations`, `bots bots_pkey`, `FUNCTION f(uuid)`. */
  name: string;
  /** pg_dump's type: `TABLE`, `FK CONSTRAINT`, `ACL`, ... */
  type: string;
  /** The schema, or `-` for objects outside one (a schema itself). */
  schema: string;
  /** The SQL, without `OWNER TO` statements (whoever applies the SQL owns it). */
  sql: string;
}

const HEADER = /^-- (?:Data for )?Name: (.*); Type: (.*); Schema: (.*); Owner: .*$/;
// Statements that would differ between two databases with the same objects:
// ownership (the role that applied the SQL) and pg_dump 15.14+'s per-dump
// `\restrict <random key>` guard lines.
const NOISE = [/^ALTER [A-Z ]+ .* OWNER TO .*;$/, /^\\(un)?restrict /];

/**
 * Splits a dump into its entries, in dump order (pg_dump's dependency order).
 *
 * @example
 * parseDump("--\n-- Name: t; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.t (id int);\n");
 * // [{ name: "t", type: "TABLE", schema: "public", sql: "CREATE TABLE public.t (id int);" }]
 */
export function parseDump(text: string): DumpEntry[] {
  const entries: DumpEntry[] = [];
  let current: { head: DumpEntry; lines: string[] } | undefined;
  const close = () => {
    if (!current) return;
    current.head.sql = current.lines.join("\n").replace(/\n--\s*$/, "").trim();
    entries.push(current.head);
  };
  for (const line of text.split("\n")) {
    const m = line.match(HEADER);
    if (m) {
      close();
      current = { head: { name: m[1], type: m[2], schema: m[3], sql: "" }, lines: [] };
    } else if (current && !NOISE.some((re) => re.test(line))) {
      if (line.startsWith("-- PostgreSQL database dump complete")) {
        close();
        current = undefined;
      } else current.lines.push(line);
    }
  }
  close();
  return entries.map((e) => ({ ...e, sql: e.sql.replace(/^--\n/, "").trim() }));
}

/** The key two dumps are compared by: type, schema and name. */
export const entryKey = (e: DumpEntry): string => `${e.type} ${e.schema}.${e.name}`;
