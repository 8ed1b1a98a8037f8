/**
 * The shape of `sync_runs.org_results`, declared once for its writers (the
 * sync: a run over every organization, and a queued or "sync now"
 * organization) and its readers (integration-status): an object keyed by
 * organization id, each value one {@linkcode StoredOrgResult}. The database
 * checks every write against the same shape (`public.sync_org_results_valid`,
 * constraint `sync_runs_org_results_shape`,
 * supabase/schemas/0060_sync_org_results_valid.sql); a test round-trips every
 * variant through it (tests/org_results_shape_test.ts).
 *
 * @module
 */
import type { SyncErrorCode } from "./error-catalogue.ts";

/** Work done for one organization (also reported for a failed one: what was committed). */
export interface SyncCounts {
  /** Records received from Odoo. */
  fetched: number;
  /** Rows inserted or updated in PostgreSQL. */
  upserted: number;
  /** Pages committed (rows + cursor in one transaction each). */
  pages: number;
  /** Rows marked deleted by a reconciliation (Odoo no longer has them). */
  deleted: number;
}

/** One organization's outcome as `sync_runs.org_results` stores it, keyed by its id. */
export type StoredOrgResult =
  & SyncCounts
  & (
    | { status: "ok"; complete: boolean }
    | { status: "error"; error: SyncErrorCode }
  );

/** The outcome for one organization. */
export type OrgResult = { org_id: string } & StoredOrgResult;

/** `sync_runs.org_results`: organization id → its result. */
export type OrgResults = Record<string, StoredOrgResult>;

/** The count fields, in the order they are written. */
export const COUNT_FIELDS = [
  "fetched",
  "upserted",
  "pages",
  "deleted",
] as const satisfies readonly (keyof SyncCounts)[];

/** The counts of a result (checked by the caller), a missing one as 0, in {@linkcode COUNT_FIELDS} order. */
function countsOf(v: Partial<Record<keyof SyncCounts, unknown>>): SyncCounts {
  const count = (k: keyof SyncCounts) => (v[k] ?? 0) as number;
  return {
    fetched: count("fetched"),
    upserted: count("upserted"),
    pages: count("pages"),
    deleted: count("deleted"),
  };
}

/**
 * The JSON text written to `sync_runs.org_results` (and to `finish_org_sync` /
 * `fail_org_sync`): only the declared fields, so nothing else of a result
 * (never a detail or an Odoo message) reaches the table.
 *
 * @example
 * orgResultsJson([{ org_id, status: "ok", complete: true, fetched: 2, upserted: 2, pages: 1, deleted: 0 }]);
 */
export function orgResultsJson(results: OrgResult[]): string {
  const byOrg: OrgResults = {};
  for (const r of results) {
    const counts = countsOf(r);
    byOrg[r.org_id] = r.status === "ok"
      ? { status: "ok", complete: r.complete, ...counts }
      : { status: "error", error: r.error, ...counts };
  }
  return JSON.stringify(byOrg);
}

const isCount = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;

/**
 * Reads one organization's stored result (`org_results -> '<org id>'`), or
 * null when it is absent or not of the declared shape (a row written before
 * the shape was checked). A missing count reads as 0.
 *
 * @example
 * readOrgResult({ status: "error", error: "odoo_timeout" }); // { status: "error", error: "odoo_timeout", fetched: 0, ... }
 */
export function readOrgResult(value: unknown): StoredOrgResult | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (COUNT_FIELDS.some((k) => v[k] !== undefined && !isCount(v[k]))) return null;
  const counts = countsOf(v);
  if (v.status === "ok" && typeof v.complete === "boolean") {
    return { status: "ok", complete: v.complete, ...counts };
  }
  if (v.status === "error" && typeof v.error === "string") {
    return { status: "error", error: v.error as SyncErrorCode, ...counts };
  }
  return null;
}
