/**
 * The one catalogue of error codes: every code a client, the admin page, a log
 * line, a watchdog check, the doctor or the platform around the functions can
 * carry, with its meaning and what a person should do (jose's `JOSEErrorCode`,
 * @supabase/server's `Errors` map). The code types of every module are derived
 * from it, `tests/error_catalogue_test.ts` checks the database's SQL literals
 * and docs/errors.md against it.
 *
 * Adding a code is adding one entry in `_error-catalogue/<kind>.ts`.
 */
import { ALERT_CODES } from "./_error-catalogue/alerts.ts";
import { CLIENT_CODES } from "./_error-catalogue/client.ts";
import { DOCTOR_CRON_CODES } from "./_error-catalogue/doctor-cron.ts";
import { DOCTOR_SETUP_CODES } from "./_error-catalogue/doctor-setup.ts";
import { BOT_CODES, SYNC_CODES } from "./_error-catalogue/failures.ts";
import { PLATFORM_CODES } from "./_error-catalogue/platform.ts";
import { REQUEST_REASONS, TOKEN_REASONS } from "./_error-catalogue/reasons.ts";
import { REFUSAL_REASONS } from "./_error-catalogue/refusals.ts";
import { WORKER_REASONS } from "./_error-catalogue/workers.ts";
import type { CatalogueEntry, Kind, Origin } from "./_error-catalogue/entry.ts";

export type { CatalogueEntry, Kind, Origin, Scope } from "./_error-catalogue/entry.ts";

type Part = Readonly<Record<string, CatalogueEntry>>;
type Parts = [
  typeof CLIENT_CODES,
  typeof SYNC_CODES,
  typeof BOT_CODES,
  typeof ALERT_CODES,
  typeof DOCTOR_CRON_CODES,
  typeof DOCTOR_SETUP_CODES,
  typeof TOKEN_REASONS,
  typeof REQUEST_REASONS,
  typeof REFUSAL_REASONS,
  typeof WORKER_REASONS,
  typeof PLATFORM_CODES,
];
type Twice<P, Seen = never> = P extends readonly [infer H extends Part, ...infer R]
  ? (keyof H & Seen) | Twice<R, Seen | keyof H>
  : never;
/**
 * Codes declared in two parts (the spread below would silently keep one).
 * Always `never`: tests/error_catalogue_test.ts fails to compile otherwise.
 */
export type DeclaredTwice = Twice<Parts>;

/**
 * Every code, by name. No code is declared twice ({@linkcode DeclaredTwice}).
 *
 * @example
 * ERROR_CATALOGUE.odoo_auth_failed.action; // "Create a new API key in Odoo and store it again."
 */
export const ERROR_CATALOGUE = {
  ...CLIENT_CODES,
  ...SYNC_CODES,
  ...BOT_CODES,
  ...ALERT_CODES,
  ...DOCTOR_CRON_CODES,
  ...DOCTOR_SETUP_CODES,
  ...TOKEN_REASONS,
  ...REQUEST_REASONS,
  ...REFUSAL_REASONS,
  ...WORKER_REASONS,
  ...PLATFORM_CODES,
} as const satisfies Record<string, CatalogueEntry>;

type Catalogue = typeof ERROR_CATALOGUE;

/** Any catalogued code. */
export type ErrorCode = keyof Catalogue;

/** The codes of one kind (and, optionally, one origin). */
export type CodesOf<K extends Kind, O extends Origin = Origin> = {
  [C in ErrorCode]: K extends Catalogue[C]["kinds"][number]
    ? Catalogue[C]["origin"] extends O ? C : never
    : never;
}[ErrorCode];

/** Every code a client can receive as `{"error":"<code>"}`. */
export type ClientErrorCode = CodesOf<"client">;
/** Everything an organization's sync failure can be recorded as (`sync_org_state.last_error`). */
export type SyncFailureCode = CodesOf<"sync">;
/** What a sync function reports for a failed organization (`org_results[org].error`). */
export type SyncErrorCode = CodesOf<"sync", "function">;
/** The codes an Odoo failure maps to, whatever the transport. */
export type OdooErrorCode = Extract<SyncErrorCode, `odoo_${string}`>;
/** A bot run's error, or why bot-scheduler could not dispatch it. */
export type BotErrorCode = CodesOf<"bot">;
/** A bot run's webhook error, as `bot_runs.error` stores it. */
export type WebhookErrorCode = Extract<BotErrorCode, `webhook_${string}`>;
/** A watchdog check id. */
export type AlertCode = CodesOf<"alert">;
/** The id of a line of the doctor's report: its own findings and the watchdog's checks. */
export type DoctorFindingId = CodesOf<"doctor"> | AlertCode;
/** A log-only reason for a refusal. */
export type ReasonCode = CodesOf<"reason">;
/** Why the outbound policy refused a destination (`Refusal.reason`, outbound.ts). */
export type RefusalReason = CodesOf<"refusal">;
/** How a sync queue worker ended (`reason` of `sync_worker_stopped`, log only). */
export type WorkerStopReason = CodesOf<"worker">;
/** What the Supabase platform answers for a function: `{"code":"<CODE>",...}`. */
export type PlatformErrorCode = CodesOf<"platform">;
/** A refusal of a token that claims to be a legacy service_role key: the reason, prefixed. */
export type ServiceJwtReason = `service_jwt_${ReasonCode}`;

/**
 * True when `value` is a catalogued code (of `kind`, when given).
 *
 * @example
 * isErrorCode("odoo_timeout", "sync"); // true
 */
export function isErrorCode<K extends Kind>(value: unknown, kind?: K): value is CodesOf<K> {
  if (typeof value !== "string" || !Object.hasOwn(ERROR_CATALOGUE, value)) return false;
  const entry: CatalogueEntry = ERROR_CATALOGUE[value as ErrorCode];
  return kind === undefined || entry.kinds.includes(kind);
}

/**
 * The codes of one kind (and origin), in catalogue order.
 *
 * @example
 * codesOf("alert", "sql"); // ["cron_command_literal", ...]
 */
export function codesOf<K extends Kind, O extends Origin = Origin>(
  kind: K,
  origin?: O,
): CodesOf<K, O>[] {
  return Object.keys(ERROR_CATALOGUE).filter((code) => {
    const entry: CatalogueEntry = ERROR_CATALOGUE[code as ErrorCode];
    return entry.kinds.includes(kind) && (origin === undefined || entry.origin === origin);
  }) as CodesOf<K, O>[];
}

/**
 * The HTTP status of a client code's (or a platform code's) answer.
 *
 * @example
 * clientStatus("bot_disabled"); // 409
 * clientStatus("WORKER_LIMIT"); // 546
 */
export function clientStatus(code: ClientErrorCode | PlatformErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}
