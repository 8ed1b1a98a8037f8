/**
 * Codes of HTTP answers: the body is `{"error":"<code>"}` with the status given
 * here. Internal: read them through `error-catalogue.ts`.
 */
import type { CatalogueEntry } from "./entry.ts";

/** Every code a client can receive from a function. */
export const CLIENT_CODES = {
  missing_authorization: {
    kinds: ["client"],
    origin: "function",
    status: 401,
    title: "No credentials",
    meaning: "The request carried no Bearer token and no service key.",
    action: "Sign in (supabase-js then sends the access token); a server sends the service key.",
  },
  invalid_token: {
    kinds: ["client"],
    origin: "function",
    status: 401,
    title: "Credentials not accepted",
    meaning: "A token or key was sent but does not verify (expired, bad signature, wrong " +
      "issuer, an anon or publishable key...). The `auth_rejected` log line's " +
      "`rejection_reason` says which.",
    action: "A user signs in again. A cron job or server must send the project's service key: " +
      "`./dev doctor` names the mismatch.",
  },
  insufficient_permissions: {
    kinds: ["client"],
    origin: "function",
    status: 403,
    title: "Not allowed",
    meaning: "The caller is known but lacks the right: no `integration_admin` or " +
      "`organization_id` in `app_metadata.claims`, an anonymous sign-in, or a user where only " +
      "service callers are allowed.",
    action: "An administrator grants `integration_admin` and `organization_id` " +
      "(docs/operations.md); the user signs in again.",
  },
  org_scope_violation: {
    kinds: ["client"],
    origin: "function",
    status: 403,
    title: "Another organization",
    meaning: "The request names an organization other than the caller's, two different ones, " +
      "or a non-string `org_id`; or a user's body could not be read whole.",
    action: "Act only on your own organization, named once, as a string.",
  },
  server_misconfigured: {
    kinds: ["client"],
    origin: "function",
    status: 500,
    title: "Function settings incomplete",
    meaning: "A setting the function needs is missing or malformed (an `OUTBOUND_*` one " +
      "included, for bot-executor and the syncs); the log line (`auth_config_invalid`, " +
      "`function_misconfigured`) names it. Never the caller's fault.",
    action: "Run `./dev doctor` and set what it names (`supabase secrets set NAME=...`).",
  },
  auth_unavailable: {
    kinds: ["client"],
    origin: "function",
    status: 503,
    title: "Sign-in cannot be checked now",
    meaning: "The project's signing keys (JWKS) could not be fetched and no usable cached " +
      "keys are left.",
    action: "Try again in a minute; if it lasts, check Supabase Auth and `SUPABASE_URL`.",
  },
  internal_error: {
    kinds: ["client", "sync"],
    origin: "function",
    status: 500,
    title: "Unexpected failure",
    meaning: "Something failed inside the function (in a sync: for this organization); " +
      "the `handler_error` or `sync_org_failed` log line has the error.",
    action: "Try again; if it repeats, read the function's log.",
  },
  invalid_request: {
    kinds: ["client"],
    origin: "function",
    status: 400,
    title: "Malformed request",
    meaning: "The body is not empty or a JSON object, or one of its fields is invalid; the " +
      "log line's `reason` names which.",
    action: "Fix the request: docs/functions.md gives each function's body.",
  },
  method_not_allowed: {
    kinds: ["client", "reason"],
    origin: "function",
    status: 405,
    title: "Wrong method",
    meaning: "The function does not serve this HTTP method; the `Allow` header lists the " +
      "ones it does.",
    action: "Use POST (`integration-status`: GET).",
  },
  bot_not_found: {
    kinds: ["client"],
    origin: "function",
    status: 404,
    title: "No such bot",
    meaning: "`bot-executor` found no bot with that id.",
    action: "Check the bot id; the bot may have been deleted.",
  },
  bot_disabled: {
    kinds: ["client"],
    origin: "function",
    status: 409,
    title: "Bot disabled",
    meaning: "The bot exists but is not enabled, so it does not run.",
    action: "Enable it (`public.bots.enabled`) if it should run.",
  },
  executor_failed: {
    kinds: ["client"],
    origin: "function",
    status: 502,
    title: "Due bots not run",
    meaning: "`bot-scheduler` could not have `bot-executor` run one or more due bots; each " +
      "result's `error` says why, and the `bot_dispatch_failed` log line gives a hint.",
    action: "Read the hint; usually the service key or `CRON_SECRET` differs between " +
      "`bot-scheduler` and `bot-executor` (`./dev doctor`).",
  },
} as const satisfies Record<string, CatalogueEntry>;
