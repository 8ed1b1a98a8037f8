/**
 * Every answer a person can get from "sync now" or the status call, said in
 * words with what to do. Pure (no DOM), so it is tested in Deno. The failure
 * codes are the catalogue's (type only: nothing of it is bundled).
 */
import type {
  PlatformErrorCode,
  SyncErrorCode,
} from "../../supabase/functions/_shared/error-catalogue.ts";

/** What came back from `supabase.functions.invoke`. */
export type Answer =
  | { kind: "http"; status: number; body: unknown }
  | { kind: "network" };

/** A sentence for the status line, and whether the person must sign in again. */
export interface Message {
  tone: "success" | "info" | "error";
  text: string;
  signInAgain?: boolean;
}

// One hint per failure code a sync reports: a code added to or removed from the
// catalogue (error-catalogue.ts) without its hint here does not compile.
const ODOO_HINTS: Readonly<Record<SyncErrorCode, string>> = {
  credential_missing:
    "No Odoo credential is stored for your organization: an operator must store one.",
  odoo_auth_failed:
    "Odoo refused the stored login or API key: create a new API key in Odoo and store it again.",
  odoo_timeout: "Odoo did not answer in time: try again in a few minutes.",
  odoo_unreachable:
    "Odoo could not be reached: check that your Odoo is up and its address is right, then try again.",
  odoo_api_unavailable:
    "Your Odoo does not offer its external API (JSON-RPC or JSON-2): enable it in Odoo " +
    "(an Odoo plan that includes it); trying again does not help.",
  odoo_destination_refused: "The stored Odoo address is not allowed (it must be an https URL " +
    "of a public host, and Odoo must answer there without a redirect): store the Odoo URL again.",
  odoo_answer_too_large: "Odoo sent an answer larger than the sync accepts: an operator can " +
    "raise OUTBOUND_ODOO_MAX_BYTES or lower the page size.",
  odoo_error: "Odoo answered with an error: the function log has the details.",
  internal_error: "The sync failed inside the function: the function log has the details.",
};

const isHinted = (code: unknown): code is SyncErrorCode =>
  typeof code === "string" && Object.hasOwn(ODOO_HINTS, code);

// What the platform answers instead of the function (`{"code":"<CODE>"}`), one hint each.
const PLATFORM_HINTS: Readonly<Record<PlatformErrorCode, string>> = {
  BOOT_ERROR: "The sync function failed to start: tell your operator (its log has the error).",
  WORKER_ERROR: "The sync function crashed: try again; if it repeats, tell your operator.",
  WORKER_LIMIT: "The sync ran out of its time or memory; what it saved is kept. Try again " +
    "in a few minutes.",
  GATEWAY_TIMEOUT: "The sync did not answer in time; it may still finish. Reload the status " +
    "in a few minutes.",
  NOT_FOUND: "The sync function is not deployed: tell your operator.",
  REQUEST_HEADER_FIELDS_TOO_LARGE: "The request's headers were too large: sign out, sign in " +
    "and try again.",
};

const isPlatform = (code: unknown): code is PlatformErrorCode =>
  typeof code === "string" && Object.hasOwn(PLATFORM_HINTS, code);

const field = (body: unknown, name: string): unknown =>
  body !== null && typeof body === "object" ? (body as Record<string, unknown>)[name] : undefined;

interface OrgResult {
  status: string;
  complete?: boolean;
  error?: string;
  fetched: number;
  upserted: number;
}

function firstOrg(body: unknown): OrgResult | undefined {
  const orgs = field(body, "organizations");
  return Array.isArray(orgs) ? orgs[0] as OrgResult : undefined;
}

function synced(label: string, body: unknown): Message {
  if (field(body, "status") === "already_ran") {
    return {
      tone: "info",
      text: `${label}: already synced this minute. Nothing was done; try again next minute.`,
    };
  }
  const org = firstOrg(body);
  const counts = org ? `${org.fetched} fetched from Odoo, ${org.upserted} saved` : "no changes";
  if (org?.status === "ok" && org.complete === false) {
    return {
      tone: "info",
      text: `${label}: synced ${counts}, but incomplete: the run reached its time limit. ` +
        "The rest follows on the next run.",
    };
  }
  return { tone: "success", text: `${label}: sync succeeded, ${counts}.` };
}

function refused(status: number, code: unknown, body: unknown): Message {
  if (status === 401) {
    return { tone: "error", text: "Your session has expired. Sign in again.", signInAgain: true };
  }
  if (code === "insufficient_permissions") {
    return {
      tone: "error",
      text: "You may not run a sync: your account lacks the integration_admin right. " +
        "Ask an administrator of your organization to grant integration_admin to your account " +
        "(app_metadata.claims, README: Granting and revoking), then sign in again.",
    };
  }
  if (code === "org_scope_violation") {
    return {
      tone: "error",
      text: "Refused: the request named another organization than yours " +
        "(org_scope_violation). You can only sync your own organization.",
    };
  }
  if (code === "server_misconfigured") {
    return {
      tone: "error",
      text: "The function's settings are incomplete (server_misconfigured). " +
        "Tell your operator to run the doctor (./dev doctor) and set what it names.",
    };
  }
  if (code === "auth_unavailable") {
    return {
      tone: "error",
      text: "Your sign-in could not be checked right now (auth_unavailable): the function " +
        "could not load the project's signing keys. Try again in a minute.",
    };
  }
  if (isPlatform(code)) {
    return {
      tone: "error",
      text: `The function could not answer (${code}). ${PLATFORM_HINTS[code]}`,
    };
  }
  if (status === 502) {
    const odoo = firstOrg(body)?.error ?? "odoo_error";
    const hint = isHinted(odoo) ? ODOO_HINTS[odoo] : ODOO_HINTS.odoo_error;
    return { tone: "error", text: `Odoo refused or failed (${odoo}). ${hint}` };
  }
  const named = typeof code === "string" ? code : `HTTP ${status}`;
  return {
    tone: "error",
    text: `The request failed (${named}). Try again; if it keeps failing, ` +
      "the function log has the details.",
  };
}

/**
 * The words for an answer to "sync now" of the job called `label`.
 *
 * @example
 * describeAnswer("CRM leads", { kind: "http", status: 401, body: { error: "invalid_token" } }).text;
 * // "Your session has expired. Sign in again."
 */
export function describeAnswer(label: string, answer: Answer): Message {
  if (answer.kind === "network") {
    return {
      tone: "error",
      text: "The request did not reach the server (network failure). " +
        "Check your connection and try again.",
    };
  }
  const { status, body } = answer;
  if (status >= 200 && status < 300) return synced(label, body);
  const code = field(body, "error") ?? field(body, "code");
  return refused(status, code, body);
}
