/**
 * One bot run: look the bot up (scoped by the caller's organisation), claim
 * the (bot, scheduled minute) slot in bot_runs, call the webhook outside any
 * transaction, record the outcome. Internal to bots.ts.
 */
import { asServiceRole, type Sql } from "../db.ts";
import type { Logger } from "../log.ts";
import type { ReasonCode } from "../error-catalogue.ts";
import type { OutboundPolicy } from "../outbound.ts";
import { callWebhook, type WebhookBot, type WebhookOutcome } from "./webhook.ts";

/** Options of {@linkcode executeBot}. */
export interface ExecuteOptions {
  botId: string;
  /** Only a bot of this organisation may run; null = any (unscoped service caller). */
  orgId: string | null;
  scheduledMinute: Date;
  fetch: typeof fetch;
  logger: Logger;
  functionName: string;
  /** `sub` of the user, or `service_role`. */
  callerIdentity: string;
  /** Where webhooks may go and how large their answer may be (OUTBOUND_* settings). */
  outbound: { policy: OutboundPolicy; webhookMaxBytes: number };
}

/** The recorded run. */
export interface BotRun extends Omit<WebhookOutcome, "refusal"> {
  run_id: number;
}

/** What happened. `other_org`: the id exists, but not in the caller's organisation. */
export type ExecuteOutcome =
  | { kind: Extract<ReasonCode, "not_found" | "other_org" | "disabled" | "already_ran"> }
  | { kind: "ran"; run: BotRun };

interface BotRow extends WebhookBot {
  id: string;
  org_id: string;
  enabled: boolean;
}

async function findBot(sql: Sql, botId: string, orgId: string | null) {
  return await asServiceRole(sql, async (tx) => {
    // Scoped in SQL, so no other organisation's row is ever read into memory.
    const rows = orgId === null
      ? await tx<BotRow[]>`select id, org_id, enabled, webhook_url, payload, timeout_ms
          from public.bots where id = ${botId}`
      : await tx<BotRow[]>`select id, org_id, enabled, webhook_url, payload, timeout_ms
          from public.bots where id = ${botId} and org_id = ${orgId}`;
    if (rows.length > 0) return rows[0];
    if (orgId === null) return "not_found" as const;
    const [{ found }] = await tx<{ found: boolean }[]>`
      select exists (select 1 from public.bots where id = ${botId}) as found`;
    return found ? "other_org" as const : "not_found" as const;
  });
}

async function claimRun(sql: Sql, bot: BotRow, minute: Date): Promise<number | null> {
  const rows = await asServiceRole(sql, (tx) =>
    tx<{ id: number }[]>`
      insert into public.bot_runs (bot_id, org_id, scheduled_minute, status)
      values (${bot.id}, ${bot.org_id}, ${minute}, 'running')
      on conflict (bot_id, scheduled_minute) do nothing
      returning id`);
  return rows.length > 0 ? Number(rows[0].id) : null;
}

async function finishRun(sql: Sql, runId: number, outcome: WebhookOutcome): Promise<void> {
  await asServiceRole(sql, (tx) =>
    tx`update public.bot_runs
      set status = ${outcome.status}, http_status = ${outcome.http_status},
        error = ${outcome.error}, response_excerpt = ${outcome.response_excerpt},
        finished_at = now()
      where id = ${runId}`);
}

/** Runs one bot once per scheduled minute. See `executeBot` in bots.ts. */
export async function executeBot(sql: Sql, o: ExecuteOptions): Promise<ExecuteOutcome> {
  const fields = {
    function_name: o.functionName,
    caller_identity: o.callerIdentity,
    bot_id: o.botId,
    scheduled_minute: o.scheduledMinute.toISOString(),
  };
  const bot = await findBot(sql, o.botId, o.orgId);
  if (typeof bot === "string" || !bot.enabled) {
    const reason = typeof bot === "string" ? bot : "disabled";
    o.logger("info", "bot_run_refused", { ...fields, reason });
    return { kind: reason };
  }
  const runId = await claimRun(sql, bot, o.scheduledMinute);
  if (runId === null) {
    o.logger("info", "bot_run_skipped", { ...fields, org_id: bot.org_id, reason: "already_ran" });
    return { kind: "already_ran" };
  }
  const started = Date.now();
  const { refusal, ...outcome } = await callWebhook(bot, {
    fetch: o.fetch,
    idempotencyKey: `${bot.id}:${o.scheduledMinute.toISOString()}`,
    policy: o.outbound.policy,
    maxBytes: o.outbound.webhookMaxBytes,
  });
  await finishRun(sql, runId, outcome);
  o.logger(outcome.status === "succeeded" ? "info" : "warn", "bot_run_finished", {
    ...fields,
    org_id: bot.org_id,
    run_id: runId,
    status: outcome.status,
    http_status: outcome.http_status,
    error: outcome.error,
    ...(refusal ? { refusal } : {}),
    duration_ms: Date.now() - started,
  });
  return { kind: "ran", run: { run_id: runId, ...outcome } };
}
