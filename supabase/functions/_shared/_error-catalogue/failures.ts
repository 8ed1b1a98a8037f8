/**
 * Why one organization's sync or one bot run failed. Internal: read them
 * through `error-catalogue.ts`.
 */
import type { CatalogueEntry } from "./entry.ts";

/**
 * One organization's sync failure: `org_results[org].error`, `sync_org_state.last_error`,
 * the admin page. (`internal_error` is in client.ts: it is both.)
 */
export const SYNC_CODES = {
  credential_missing: {
    kinds: ["sync"],
    origin: "function",
    title: "No usable Odoo credential",
    meaning: "The organization has no Odoo credential, or it lacks the URL, database, login " +
      "or API key.",
    action: "Store the credential with `public.upsert_integration_credential` " +
      "(docs/operations.md).",
  },
  odoo_auth_failed: {
    kinds: ["sync"],
    origin: "function",
    title: "Odoo refused the login",
    meaning: "Odoo refused the stored login or API key. Not retried.",
    action: "Create a new API key in Odoo and store it again.",
  },
  odoo_timeout: {
    kinds: ["sync"],
    origin: "function",
    title: "Odoo too slow",
    meaning: "Every attempt to call Odoo timed out, or a queue worker released the " +
      "organization after its deadline plus a grace (`sync_org_released` in the log).",
    action: "Try again in a few minutes; if it lasts, check the Odoo server's load.",
  },
  odoo_unreachable: {
    kinds: ["sync"],
    origin: "function",
    title: "Odoo not reachable",
    meaning: "The connection to Odoo failed (its name did not resolve included), or Odoo " +
      "answered 5xx or 429, on every attempt.",
    action: "Check that the Odoo server is up and the stored URL is right, then try again.",
  },
  odoo_api_unavailable: {
    kinds: ["sync"],
    origin: "function",
    title: "Odoo's external API is off",
    meaning: "Neither `/jsonrpc` nor JSON-2 answers: Odoo 19+ with the deprecated RPC " +
      "switched off and no JSON-2, or an Odoo plan without the external API. Retrying " +
      "does not help.",
    action: "Enable Odoo's external API (a plan that includes it; JSON-2 on Odoo 19+).",
  },
  odoo_destination_refused: {
    kinds: ["sync"],
    origin: "function",
    title: "Odoo address not allowed",
    meaning: "The outbound policy refused the stored `base_url` (not https, an internal name, or " +
      "an address that is loopback, private, link-local, metadata or otherwise reserved), or " +
      "Odoo answered with a redirect, which is never followed. Nothing was sent there; not " +
      "retried. The `odoo_destination_refused` log line's `reason` says why (never the URL).",
    action: "Store an https URL of a public host that Odoo answers at without a redirect " +
      "(`public.upsert_integration_credential`); the watchdog's " +
      "`outbound_destination_refused` alert names the setting.",
  },
  odoo_answer_too_large: {
    kinds: ["sync"],
    origin: "function",
    title: "Odoo's answer too large",
    meaning: "An answer of Odoo was larger than `OUTBOUND_ODOO_MAX_BYTES`; it was not read " +
      "further and the connection was dropped. Not retried.",
    action: "Check what Odoo sends (a 500-lead page is well under 1 MiB); if it is right, raise " +
      "`OUTBOUND_ODOO_MAX_BYTES` for the Odoo syncs (at most 64 MiB).",
  },
  odoo_error: {
    kinds: ["sync"],
    origin: "function",
    title: "Odoo answered with an error",
    meaning: "Odoo raised an application error, or answered another non-2xx status.",
    action: "Read the function's `sync_org_failed` log line for Odoo's message; fix the " +
      "cause in Odoo.",
  },
  run_lost: {
    kinds: ["sync"],
    origin: "sql",
    title: "Sync run lost",
    meaning: "A queued run never finished: its worker died (killed, or past the platform's " +
      "wall clock) and its lease ended, so the next worker claimed the organization and " +
      "marked the old run failed. Not the organization's failure, unless its message was " +
      "delivered `max_deliveries` times without a finish (then it backs off like one).",
    action: "None: the next worker syncs the organization. If it repeats, read the " +
      "function's log (`sync_worker_failed`, platform limits) for that time.",
  },
  dispatch_failed: {
    kinds: ["sync"],
    origin: "sql",
    title: "Sync call not delivered",
    meaning: "Written only by the first dispatcher (before the sync queue): pg_net got an " +
      "answer (401, 5xx, a timeout) before the function claimed the run. Older runs may " +
      "still carry it until they are pruned.",
    action: "None for new runs; for the job's calls read its `http_auth_rejected` or " +
      "`http_call_failed` alert (`./dev doctor`).",
  },
} as const satisfies Record<string, CatalogueEntry>;

/** A bot run's error (`bot_runs.error`), or why `bot-scheduler` could not dispatch it. */
export const BOT_CODES = {
  webhook_timeout: {
    kinds: ["bot"],
    origin: "function",
    title: "Webhook too slow",
    meaning: "The bot's webhook gave no complete answer within the bot's `timeout_ms`.",
    action: "Check the webhook's server, or raise the bot's `timeout_ms`.",
  },
  webhook_http_error: {
    kinds: ["bot"],
    origin: "function",
    title: "Webhook answered an error",
    meaning: "The bot's webhook answered with a status other than 2xx.",
    action: "Read `bot_runs.response_excerpt` and fix the webhook.",
  },
  webhook_network_error: {
    kinds: ["bot"],
    origin: "function",
    title: "Webhook not reachable",
    meaning: "The connection to the bot's webhook failed (its name did not resolve included).",
    action: "Check the bot's `webhook_url` and that its server is up.",
  },
  webhook_destination_refused: {
    kinds: ["bot"],
    origin: "function",
    title: "Webhook address not allowed",
    meaning: "The outbound policy refused the bot's `webhook_url` (not https, an internal name, " +
      "or a loopback, private, link-local, metadata or otherwise reserved address), or the " +
      "webhook answered with a redirect, which is never followed. Nothing was sent there and " +
      "nothing of its answer is stored; the `bot_run_finished` log line's `refusal` says why.",
    action: "Set the bot's `webhook_url` to an https URL of a public host that answers " +
      "without a redirect, or disable the bot.",
  },
  webhook_answer_too_large: {
    kinds: ["bot"],
    origin: "function",
    title: "Webhook's answer too large",
    meaning: "The webhook answered with more than `OUTBOUND_WEBHOOK_MAX_BYTES`; the answer was " +
      "dropped unread and no excerpt is stored.",
    action: "Make the webhook answer briefly, or raise `OUTBOUND_WEBHOOK_MAX_BYTES` for " +
      "`bot-executor`.",
  },
  executor_timeout: {
    kinds: ["bot"],
    origin: "function",
    title: "bot-executor too slow",
    meaning: "`bot-scheduler` got no answer from `bot-executor` within the bot's timeout " +
      "plus the grace.",
    action: "Read `bot-executor`'s log; the bot runs again at its next minute.",
  },
  executor_network_error: {
    kinds: ["bot"],
    origin: "function",
    title: "bot-executor not reachable",
    meaning: "`bot-scheduler` could not connect to `bot-executor`, or got a redirect from it " +
      "(never followed; the result's `detail` says so).",
    action: "Check `bot-scheduler`'s `SUPABASE_URL` (the project's own URL, no redirect) and " +
      "that `bot-executor` is deployed.",
  },
  executor_http_error: {
    kinds: ["bot"],
    origin: "function",
    title: "bot-executor failed without a code",
    meaning: "`bot-executor` answered with an error status and no error code.",
    action: "Read `bot-executor`'s log (and the gateway's, if it never ran).",
  },
  executor_bad_response: {
    kinds: ["bot"],
    origin: "function",
    title: "bot-executor's answer unreadable",
    meaning: "`bot-executor` answered 2xx but not with a run outcome.",
    action: "Deploy `bot-scheduler` and `bot-executor` from the same version.",
  },
} as const satisfies Record<string, CatalogueEntry>;
