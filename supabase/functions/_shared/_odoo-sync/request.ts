/**
 * The sync request body. A run's period and idempotency key are the
 * database's (`public.sync_period`, `public.sync_run_key`). Internal: use
 * `odoo-sync.ts`.
 */
import type { ReasonCode } from "../error-catalogue.ts";
import type { RequestBody } from "../auth-guard.ts";
import type { SyncMode } from "./types.ts";

/** What the body may carry. `org_id` is read by the guard and arrives as `AuthContext.orgId`. */
export interface SyncBody {
  mode: SyncMode;
  scheduledFor: Date | null;
}

const ISO_TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;

/**
 * Reads the request body as the guard read it (`ctx.body`; never the request
 * itself): `{"mode"?: "incremental"|"full", "scheduled_for"?: ISO timestamp}`.
 * An empty body means an incremental run now. Other fields (such as `org_id`) are ignored here.
 *
 * @example
 * parseSyncBody({ kind: "json", value: { mode: "full" } }); // { mode: "full", scheduledFor: null }
 * parseSyncBody({ kind: "json", value: [] }); // { invalid: "body_not_an_object" }
 */
export function parseSyncBody(received: RequestBody): SyncBody | { invalid: ReasonCode } {
  if (received.kind === "empty") return { mode: "incremental", scheduledFor: null };
  if (received.kind !== "json") return { invalid: "body_not_json" };
  const value = received.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { invalid: "body_not_an_object" };
  }
  const body = value as Record<string, unknown>;
  const mode = body.mode ?? "incremental";
  if (mode !== "incremental" && mode !== "full") return { invalid: "unknown_mode" };
  const raw = body.scheduled_for;
  if (raw === undefined || raw === null) return { mode, scheduledFor: null };
  const ms = typeof raw === "string" && ISO_TIMESTAMP.test(raw.trim()) ? Date.parse(raw) : NaN;
  if (!Number.isFinite(ms)) return { invalid: "scheduled_for_not_a_timestamp" };
  return { mode, scheduledFor: new Date(ms) };
}
