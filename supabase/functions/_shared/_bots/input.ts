/**
 * Request bodies of bot-scheduler (`{"scheduled_for"}`) and bot-executor
 * (`{"bot_id", "scheduled_minute"}`), as the guard read them (`ctx.body`).
 * Internal to bots.ts.
 */
import { type AuthContext, jsonObjectBody } from "../auth-guard.ts";
import { isUuid } from "../http.ts";

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** The start of the minute `date` falls in (UTC). */
export function minuteOf(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 60_000) * 60_000);
}

/** undefined: absent; null: present but not a date. */
function readMinute(value: unknown): Date | null | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || !ISO_DATE_TIME.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : minuteOf(new Date(ms));
}

const validOrg = (ctx: AuthContext) => ctx.orgId === null || isUuid(ctx.orgId);

/** The scheduler's input, or null for a malformed request (400). */
export function readSchedulerInput(
  ctx: AuthContext,
  now: Date,
): { scheduledMinute: Date; orgId: string | null } | null {
  const body = jsonObjectBody(ctx);
  if (body === null || !validOrg(ctx)) return null;
  const minute = readMinute(body.scheduled_for);
  if (minute === null) return null;
  return { scheduledMinute: minute ?? minuteOf(now), orgId: ctx.orgId };
}

/**
 * The executor's input, or null for a malformed request (400). Users ("run
 * now") always get the current minute; service callers may name one.
 */
export function readExecutorInput(
  ctx: AuthContext,
  now: Date,
): { botId: string; scheduledMinute: Date } | null {
  const body = jsonObjectBody(ctx);
  if (body === null || !validOrg(ctx)) return null;
  const botId = body.bot_id;
  if (typeof botId !== "string" || !isUuid(botId)) return null;
  if (!ctx.isServiceRole) return { botId, scheduledMinute: minuteOf(now) };
  const minute = readMinute(body.scheduled_minute);
  if (minute === null) return null;
  return { botId, scheduledMinute: minute ?? minuteOf(now) };
}
