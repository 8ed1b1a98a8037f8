/**
 * The outbound settings, read once at start-up: the development allowance
 * and the byte limits of answers. Internal: use `outbound.ts`.
 */
import type { Logger } from "../log.ts";
import { denoResolver, type OutboundPolicy, type Resolver } from "./destination.ts";

/** Checked outbound settings of one function. */
export interface OutboundSettings {
  /** Where requests whose destination comes from data may go. */
  policy: OutboundPolicy;
  /** Largest Odoo answer (one page, one call), in bytes. OUTBOUND_ODOO_MAX_BYTES. */
  odooMaxBytes: number;
  /** Largest bot webhook answer, in bytes. OUTBOUND_WEBHOOK_MAX_BYTES. */
  webhookMaxBytes: number;
  /** Names of malformed settings (never values); the function answers 500 while any is. */
  invalid: string[];
}

/** Default of OUTBOUND_ODOO_MAX_BYTES: 16 MiB (a 500-lead page is well under 1 MiB). */
export const DEFAULT_ODOO_MAX_BYTES = 16 * 1024 * 1024;
/** Default of OUTBOUND_WEBHOOK_MAX_BYTES: 64 KiB (only 500 characters are stored). */
export const DEFAULT_WEBHOOK_MAX_BYTES = 64 * 1024;
/** Upper bound of both limits: an Edge Function has 256 MB in all. */
export const MAX_ANSWER_BYTES_CEILING = 64 * 1024 * 1024;

function readLimit(
  env: { get(name: string): string | undefined },
  name: string,
  fallback: number,
  invalid: string[],
): number {
  const raw = env.get(name)?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (/^\d+$/.test(raw) && n >= 1024 && n <= MAX_ANSWER_BYTES_CEILING) return n;
  invalid.push(name);
  return fallback;
}

function readAllowance(env: { get(name: string): string | undefined }, invalid: string[]) {
  const raw = env.get("OUTBOUND_ALLOW_PRIVATE")?.trim().toLowerCase() ?? "";
  if (raw === "" || raw === "false" || raw === "0") return false;
  if (raw === "true" || raw === "1") return true;
  invalid.push("OUTBOUND_ALLOW_PRIVATE");
  return false;
}

/**
 * Reads OUTBOUND_ALLOW_PRIVATE, OUTBOUND_ODOO_MAX_BYTES and
 * OUTBOUND_WEBHOOK_MAX_BYTES. Logs `outbound_private_allowed` (warn) when the
 * allowance is on, and `function_misconfigured` naming each malformed setting.
 *
 * @example
 * const outbound = loadOutboundSettings(Deno.env, { logger, functionName: "bot-executor" });
 */
export function loadOutboundSettings(
  env: { get(name: string): string | undefined },
  o: { logger: Logger; functionName: string; resolve?: Resolver },
): OutboundSettings {
  const invalid: string[] = [];
  const allowPrivate = readAllowance(env, invalid);
  const odooMaxBytes = readLimit(env, "OUTBOUND_ODOO_MAX_BYTES", DEFAULT_ODOO_MAX_BYTES, invalid);
  const webhookMaxBytes = readLimit(
    env,
    "OUTBOUND_WEBHOOK_MAX_BYTES",
    DEFAULT_WEBHOOK_MAX_BYTES,
    invalid,
  );
  if (invalid.length > 0) {
    o.logger("error", "function_misconfigured", {
      function: o.functionName,
      missing_settings: invalid,
      fix: "OUTBOUND_ALLOW_PRIVATE is true or false; OUTBOUND_*_MAX_BYTES are whole numbers of " +
        `bytes between 1024 and ${MAX_ANSWER_BYTES_CEILING}`,
    });
  }
  if (allowPrivate) {
    o.logger("warn", "outbound_private_allowed", {
      function_name: o.functionName,
      setting: "OUTBOUND_ALLOW_PRIVATE",
      detail: "plain http, loopback and private addresses are allowed for Odoo and bot " +
        "webhooks: for local development only, never in production",
    });
  }
  const policy = { allowPrivate, resolve: o.resolve ?? denoResolver };
  return { policy, odooMaxBytes, webhookMaxBytes, invalid };
}
