/**
 * The fake Odoo's search: domains in Polish prefix notation, the `order` spec
 * and the `active_test` rule, evaluated the way Odoo's SQL would. Internal to
 * `supabase/local/odoo.ts`.
 *
 * @module
 */
import {
  FIELDS,
  type FieldType,
  type OdooModelName,
  type OdooRecord,
  pyRepr,
  valueError,
} from "./model.ts";

type Pred = (r: OdooRecord) => boolean;
const OPERATORS = new Set([
  "=",
  "!=",
  ">",
  ">=",
  "<",
  "<=",
  "in",
  "not in",
  "like",
  "ilike",
  "not like",
  "not ilike",
  "=?",
]);
export const isNull = (v: unknown) => v === false || v === null || v === undefined;

/** A stored value as SQL sees it: many2one → its id, empty → null. */
function sqlValue(v: unknown, type: FieldType): unknown {
  if (type === "boolean") return v === true;
  if (isNull(v)) return null;
  return Array.isArray(v) ? v[0] : v;
}

function ordered(a: unknown, b: unknown): number | null {
  if (typeof a !== typeof b || (typeof a !== "number" && typeof a !== "string")) return null;
  return (a as number | string) < (b as number | string)
    ? -1
    : (a as number | string) > (b as number | string)
    ? 1
    : 0;
}

function matchLeaf(actual: unknown, op: string, value: unknown): boolean {
  if (op === "=?") return isNull(value) || matchLeaf(actual, "=", value);
  if (op === "in" || op === "not in") {
    const list = value as unknown[];
    const hit = actual === null ? list.some(isNull) : list.includes(actual);
    return op === "in" ? hit : !hit;
  }
  if (op === "=" || op === "!=") {
    const eq = isNull(value) ? actual === null || actual === false : actual === value;
    return op === "=" ? eq : !eq;
  }
  if (op.endsWith("like")) {
    const ci = op.endsWith("ilike");
    const needle = ci ? String(value).toLowerCase() : String(value);
    const hay = actual === null ? null : ci ? String(actual).toLowerCase() : String(actual);
    const hit = hay !== null && hay.includes(needle);
    return op.startsWith("not") ? hay === null || !hit : hit;
  }
  if (actual === null || isNull(value)) return false;
  const c = ordered(actual, value);
  if (c === null) return false;
  return op === ">" ? c > 0 : op === ">=" ? c >= 0 : op === "<" ? c < 0 : c <= 0;
}

function compileLeaf(model: OdooModelName, leaf: unknown): Pred {
  if (!Array.isArray(leaf) || leaf.length !== 3) {
    throw valueError(`Invalid leaf ${pyRepr(leaf, Array.isArray(leaf))}`);
  }
  const [field, rawOp, rawValue] = leaf;
  if (rawOp === "=" && rawValue === 1 && (field === 1 || field === 0)) return () => field === 1;
  const op = typeof rawOp === "string" ? rawOp.toLowerCase().replace("<>", "!=") : rawOp;
  if (typeof field !== "string" || !OPERATORS.has(op)) {
    throw valueError(`Invalid leaf ${pyRepr(leaf, true)}`);
  }
  const type = FIELDS[model][field];
  if (!type) throw valueError(`Invalid field ${model}.${field} in leaf ${pyRepr(leaf, true)}`);
  let value = rawValue;
  if ((op === "in" || op === "not in") && !Array.isArray(value)) value = [value];
  if (Array.isArray(value) && op !== "in" && op !== "not in") {
    throw valueError(`Invalid leaf ${pyRepr(leaf, true)}`);
  }
  return (r) => matchLeaf(sqlValue(r[field], type), op, value);
}

/** Compiles a domain in Polish prefix notation (`&`, `|`, `!`, implicit `&`). */
function compileDomain(model: OdooModelName, domain: unknown): Pred {
  if (!Array.isArray(domain)) throw valueError(`Invalid domain ${pyRepr(domain)}`);
  let i = 0;
  const term = (): Pred => {
    if (i >= domain.length) {
      throw valueError(`Domain ${pyRepr(domain)} is syntactically not correct.`);
    }
    const t = domain[i++];
    if (t === "!") {
      const a = term();
      return (r) => !a(r);
    }
    if (t === "&" || t === "|") {
      const a = term();
      const b = term();
      return t === "&" ? (r) => a(r) && b(r) : (r) => a(r) || b(r);
    }
    return compileLeaf(model, t);
  };
  const parts: Pred[] = [];
  while (i < domain.length) parts.push(term());
  return (r) => parts.every((p) => p(r));
}

const mentionsField = (domain: unknown[], field: string) =>
  domain.some((t) => Array.isArray(t) && t[0] === field);

interface OrderKey {
  field: string;
  desc: boolean;
  nullsFirst: boolean;
}

const ORDER_PART = /^"?([a-z0-9_]+)"?(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?$/i;

/** Parses an Odoo order spec such as `"write_date asc, id desc"`. */
export function parseOrder(model: OdooModelName, spec: unknown): OrderKey[] {
  if (spec === undefined || spec === null || spec === false || spec === "") spec = "id desc";
  const invalid = () =>
    valueError(
      `Invalid "order" specified (${String(spec)}). A valid "order" specification is a ` +
        `comma-separated list of valid field names (optionally followed by asc/desc for the direction)`,
    );
  if (typeof spec !== "string") throw invalid();
  return spec.split(",").map((part) => {
    const m = ORDER_PART.exec(part.trim());
    if (!m) throw invalid();
    if (!FIELDS[model][m[1]]) throw valueError(`Invalid field '${m[1]}' on model '${model}'`);
    const desc = (m[2] ?? "asc").toLowerCase() === "desc";
    // PostgreSQL: NULLS LAST for ASC, NULLS FIRST for DESC, unless stated.
    const nullsFirst = m[3] ? m[3].toLowerCase() === "first" : desc;
    return { field: m[1], desc, nullsFirst };
  });
}

export function sortRecords(
  model: OdooModelName,
  rows: OdooRecord[],
  keys: OrderKey[],
): OdooRecord[] {
  const cmp = (a: OdooRecord, b: OdooRecord) => {
    for (const k of keys) {
      const type = FIELDS[model][k.field];
      const x = type === "boolean" ? Number(a[k.field] === true) : sqlValue(a[k.field], type);
      const y = type === "boolean" ? Number(b[k.field] === true) : sqlValue(b[k.field], type);
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null) === k.nullsFirst ? -1 : 1;
      }
      const c = ordered(x, y) ?? 0;
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  };
  return [...rows].sort(cmp);
}

/** The records of `store` that `domain` selects, `active = false` ones hidden unless asked for. */
export function search(
  model: OdooModelName,
  store: OdooRecord[],
  domain: unknown,
  context: Record<string, unknown>,
): OdooRecord[] {
  const list = domain === undefined || domain === false || domain === null ? [] : domain;
  const pred = compileDomain(model, list);
  const activeTest = "active" in FIELDS[model] && context.active_test !== false &&
    !mentionsField(list as unknown[], "active");
  return store.filter((r) => pred(r) && (!activeTest || r.active === true));
}
