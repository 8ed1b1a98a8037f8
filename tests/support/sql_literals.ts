/**
 * The string literals of SQL text, for checking them against the error
 * catalogue (tests/error_catalogue_test.ts). A small lexer: `'...'` literals
 * (with `''` escapes, and `E'...'`), skipping `--` and `/* *\/` comments.
 * Dollar quotes (`$$`, `$cmd$`) are read through as SQL, since what they hold
 * is SQL here (function bodies, DO blocks, cron commands).
 */

/** Shaped like an error code: lower-case words joined by underscores. */
export const CODE_SHAPE = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;

const DOLLAR_TAG = /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/;

function skipComment(sql: string, i: number): number {
  if (sql.startsWith("--", i)) {
    const end = sql.indexOf("\n", i);
    return end === -1 ? sql.length : end;
  }
  if (sql.startsWith("/*", i)) {
    const end = sql.indexOf("*/", i + 2);
    return end === -1 ? sql.length : end + 2;
  }
  return i;
}

function readLiteral(sql: string, start: number, escapes: boolean): [string, number] {
  let text = "";
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (escapes && c === "\\") {
      text += sql[i + 1] ?? "";
      i += 2;
    } else if (c === "'" && sql[i + 1] === "'") {
      text += "'";
      i += 2;
    } else if (c === "'") {
      return [text, i + 1];
    } else {
      text += c;
      i++;
    }
  }
  return [text, i];
}

/**
 * Every string literal of `sql`, in order.
 *
 * @example
 * sqlLiterals("select 'a_b' -- 'c_d'"); // ["a_b"]
 */
export function sqlLiterals(sql: string): string[] {
  const found: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const next = skipComment(sql, i);
    if (next !== i) {
      i = next;
      continue;
    }
    const c = sql[i];
    const tag = c === "$" ? sql.slice(i).match(DOLLAR_TAG) : null;
    if (tag !== null) {
      i += tag[0].length;
    } else if (
      c === "'" || ((c === "E" || c === "e") && sql[i + 1] === "'" && !/\w/.test(sql[i - 1] ?? ""))
    ) {
      const escapes = c !== "'";
      const [text, end] = readLiteral(sql, escapes ? i + 1 : i, escapes);
      found.push(text);
      i = end;
    } else {
      i++;
    }
  }
  return found;
}

/**
 * The code-shaped literals of `sql` (see {@linkcode CODE_SHAPE}), each once.
 *
 * @example
 * codeLiterals("select 'odoo_timeout', 'ok', 'a b'"); // Set { "odoo_timeout" }
 */
export function codeLiterals(sql: string): Set<string> {
  return new Set(sqlLiterals(sql).filter((s) => CODE_SHAPE.test(s)));
}
