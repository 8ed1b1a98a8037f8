/**
 * The sync request body and the run's scheduled period / idempotency key.
 * Internal: use `odoo-sync.ts`.
 */
import type { ReasonCode } from "../error-catalogue.ts";
import type { RequestBody } from "../auth-guard.ts";
import type { SyncJob, SyncMode } from "./types.ts";

/** What the body may carry. `org_id` is read by the guard and arrives as `AuthContext.orgId`. */
export interface SyncBody {
  mode: SyncMode;
  scheduledFor: Date | null;
}

/** What to run and for whom, after the guard. */
export interface RunRequest extends SyncBody {
  job: SyncJob;
  /** The organization to sync; null = every organization with an `odoo` credential (service only). */
  orgId: string | null;
  /** True for an admin's "sync now": the key is per minute and per org. */
  manual: boolean;
}

/** The run's identity: when it was meant for and its idempotency key. */
export interface RunPlan {
  key: string;
  scheduledFor: Date;
}

const ISO_TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;
const MINUTE_MS = 60_000;
const SLOT_MS = 15 * MINUTE_MS;

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

const floorTo = (d: Date, step: number) => new Date(Math.floor(d.getTime() / step) * step);
const minuteLabel = (d: Date) => `${d.toISOString().slice(0, 16)}Z`;

/**
 * The run's scheduled time and idempotency key:
 * - cron, every org: `odoo:<job>:<slot>` (slot = scheduled_for floored to 15 minutes)
 * - cron, one org: `odoo:<job>:org:<org>:<slot>`
 * - admin "sync now": `odoo:<job>:manual:<org>:<minute of now>`
 * A full resync adds `:full` after the job, so it is not blocked by the incremental run.
 *
 * @example
 * const plan = planRun(
 *   { job: "crm", mode: "incremental", scheduledFor: null, orgId: null, manual: false },
 *   new Date("2026-11-23T10:22:41Z"),
 * ); // { key: "odoo:crm:2026-11-23T10:15Z", scheduledFor: 2026-11-23T10:22:00Z }
 */
export function planRun(request: RunRequest, now: Date): RunPlan {
  const parts = ["odoo", request.job];
  if (request.mode === "full") parts.push("full");
  const minute = floorTo(now, MINUTE_MS);
  if (request.manual) {
    parts.push("manual", request.orgId ?? "none", minuteLabel(minute));
    return { key: parts.join(":"), scheduledFor: minute };
  }
  const scheduledFor = request.scheduledFor ?? minute;
  if (request.orgId !== null) parts.push("org", request.orgId);
  parts.push(minuteLabel(floorTo(scheduledFor, SLOT_MS)));
  return { key: parts.join(":"), scheduledFor };
}
