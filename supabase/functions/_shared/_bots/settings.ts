/**
 * bot-scheduler's settings, read once at start-up: SUPABASE_URL,
 * SUPABASE_DB_URL, a service key (SUPABASE_SERVICE_ROLE_KEY or the first
 * SUPABASE_SECRET_KEYS value) and the optional CRON_SECRET. Internal to bots.ts.
 */
import type { Logger } from "../log.ts";
import { type Env, readSettings } from "../settings.ts";
import type { ExecutorTarget } from "./dispatch.ts";

/** How the either-or service key setting is named in logs. */
export const SERVICE_KEY_SETTING = "SUPABASE_SERVICE_ROLE_KEY (or SUPABASE_SECRET_KEYS)";

/** Checked scheduler settings. `missing` names settings, never values. */
export interface SchedulerSettings {
  missing: string[];
  target: ExecutorTarget;
  /** SUPABASE_DB_URL ("" when missing or not needed). */
  dbUrl: string;
}

function firstSecretKey(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
    const first = Object.values(parsed).find((v) => typeof v === "string" && v.trim() !== "");
    return first as string | undefined;
  } catch {
    return undefined;
  }
}

function serviceKeyOf(env: Env): string | undefined {
  const legacy = env.get("SUPABASE_SERVICE_ROLE_KEY")?.trim();
  return legacy ? legacy : firstSecretKey(env.get("SUPABASE_SECRET_KEYS"));
}

/**
 * Reads and checks the scheduler's settings. Logs one `function_misconfigured`
 * error naming every missing setting, and an info line when CRON_SECRET is
 * unset (executor calls then rely on the service key alone).
 */
export function readSchedulerSettings(
  env: Env,
  o: { logger: Logger; functionName: string; needDbUrl: boolean },
): SchedulerSettings {
  const view: Env = {
    get: (name) => (name === SERVICE_KEY_SETTING ? serviceKeyOf(env) : env.get(name)),
  };
  const names = ["SUPABASE_URL", ...(o.needDbUrl ? ["SUPABASE_DB_URL"] : []), SERVICE_KEY_SETTING];
  const settings = readSettings(o.functionName, names, view, o.logger);
  const cronSecret = env.get("CRON_SECRET")?.trim() || null;
  if (cronSecret === null) {
    o.logger("info", "cron_secret_not_set", {
      function_name: o.functionName,
      detail: "CRON_SECRET is not set; calls to bot-executor rely on the service key alone",
    });
  }
  const base = settings.get("SUPABASE_URL").replace(/\/+$/, "");
  return {
    missing: settings.missing,
    target: {
      url: `${base}/functions/v1/bot-executor`,
      serviceKey: settings.get(SERVICE_KEY_SETTING),
      cronSecret,
    },
    dbUrl: o.needDbUrl ? settings.get("SUPABASE_DB_URL") : "",
  };
}
