/**
 * Why a request was refused, as the server log says it (`rejection_reason` of
 * `auth_rejected`, `reason` of `request_refused`, `body_not_scoped`,
 * `auth_unavailable`, `sync_request_invalid`, `status_refused`, `bot_run_refused`,
 * `bot_run_skipped`). Never sent to a
 * client: the client gets the fixed code in parentheses. Internal: read them
 * through `error-catalogue.ts`.
 */
import type { CatalogueEntry } from "./entry.ts";

const reason = (title: string, meaning: string, action: string) =>
  ({ kinds: ["reason"], origin: "function", title, meaning, action }) as const;

const SIGN_IN = "The user signs in again; a server sends the project's service key.";
const TOKEN = "A token forged or damaged in transit; nothing to fix unless a real client sends it.";

/** Why the guard refused a token or key (client code `invalid_token`, 401). */
export const TOKEN_REASONS = {
  no_credentials: reason("No credentials", "No Bearer token and no service key.", SIGN_IN),
  oversized: reason("Credential too large", "A credential header over 8 KiB.", TOKEN),
  malformed: reason("Not a JWT", "Not three canonical base64url segments, or no `alg`.", TOKEN),
  alg_none: reason("alg: none", "An unsigned token (`alg: none`).", TOKEN),
  alg_not_allowed: reason(
    "Algorithm not allowed",
    "An `alg` this configuration cannot verify (HS256 needs `JWT_SECRET`; ES256/RS256 a JWKS).",
    "Set the key source for that algorithm if real tokens use it.",
  ),
  crit_header: reason("crit header", "The token has a `crit` header.", TOKEN),
  key_in_header: reason(
    "Key in header",
    "The token names its own key (`jku`/`jwk`/`x5u`/`x5c`).",
    TOKEN,
  ),
  bad_kid: reason(
    "Malformed kid",
    "`kid` is not a non-empty string of at most 256 characters.",
    TOKEN,
  ),
  bad_signature: reason("Bad signature", "The signature does not verify.", SIGN_IN),
  unknown_kid: reason(
    "Unknown kid",
    "No key has the token's `kid`: not in `SUPABASE_JWKS` nor in the project's JWKS (asked " +
      "for a `kid` the inline set lacks; refreshed at most once per cooldown).",
    "Check that the token is from this project's Auth.",
  ),
  ambiguous_kid: reason("Ambiguous kid", "Several JWKS keys match the token.", "Fix the JWKS."),
  expired: reason("Expired", "`exp` is in the past.", SIGN_IN),
  not_yet_valid: reason("Not yet valid", "`nbf` is in the future.", "Check the clocks."),
  wrong_issuer: reason(
    "Wrong issuer",
    "`iss` is not `${SUPABASE_URL}/auth/v1`.",
    "Check `SUPABASE_URL`; the token may be from another project.",
  ),
  wrong_audience: reason("Wrong audience", "`aud` is not `authenticated`.", SIGN_IN),
  wrong_role: reason("Wrong role", "`role` is not `authenticated`.", SIGN_IN),
  wrong_ref: reason(
    "Another project's key",
    "A legacy service_role JWT whose `ref` is another project's.",
    "Send this project's service key.",
  ),
  missing_sub: reason("No sub", "The token has no `sub` (or not a non-empty string).", TOKEN),
  missing_exp: reason("No exp", "The token has no `exp`.", TOKEN),
  missing_iat: reason("No iat", "The token has no `iat`.", TOKEN),
  missing_role: reason("No role", "The token has no `role`.", TOKEN),
  missing_iss: reason("No iss", "The token has no `iss`.", TOKEN),
  missing_aud: reason("No aud", "The token has no `aud`.", TOKEN),
  missing_ref: reason("No ref", "A legacy service_role JWT without `ref`.", TOKEN),
  invalid_exp: reason("Bad exp", "`exp` is not a number.", TOKEN),
  invalid_iat: reason("Bad iat", "`iat` is not a number.", TOKEN),
  verification_failed: reason("Verification failed", "Any other verification failure.", SIGN_IN),
  anon_or_publishable_key: reason(
    "Public key as Bearer",
    "The anon or a publishable key was sent as the Bearer token.",
    "Sign the user in; a server sends the service key.",
  ),
  unknown_api_key: reason(
    "Unknown sb_ key",
    "An `sb_...` key that is none of the configured keys.",
    "Send a current key; set `SUPABASE_SECRET_KEYS` after a rotation.",
  ),
  user_tokens_not_configured: reason(
    "User tokens not configured",
    "A JWT arrived but `SUPABASE_URL` is not set, so no user token can be checked.",
    "Set `SUPABASE_URL`.",
  ),
  jwks_timeout: reason(
    "JWKS fetch timed out",
    "Fetching the signing keys timed out (client code `auth_unavailable`).",
    "Check Supabase Auth.",
  ),
  jwks_unavailable: reason(
    "JWKS fetch failed",
    "Fetching the signing keys failed (client code `auth_unavailable`).",
    "Check Supabase Auth and `SUPABASE_URL`.",
  ),
} as const satisfies Record<string, CatalogueEntry>;

const GRANT = "Grant the rights in `app_metadata.claims` (docs/operations.md) if they are due.";

/** Why a verified caller may not do this (client codes 403 and 400). */
export const REQUEST_REASONS = {
  user_tokens_not_allowed: reason(
    "Service callers only",
    "A user token where only service callers are allowed.",
    "Call from a server.",
  ),
  anonymous_user: reason("Anonymous sign-in", "A token of an anonymous sign-in.", GRANT),
  not_integration_admin: reason("Not an integration admin", "No `integration_admin: true`.", GRANT),
  admin_without_organization: reason(
    "No organization",
    "An integration admin without `organization_id`.",
    GRANT,
  ),
  org_mismatch: reason("Another organization", "The request names another organization.", "None."),
  invalid_org_id: reason("Bad org_id", "An `org_id` that is not a string.", "Send a string."),
  conflicting_org_ids: reason(
    "Two org_ids",
    "A service caller named two organizations.",
    "Name one.",
  ),
  body_too_large: reason("Body too large", "The body is over 1 MiB.", "Send a smaller body."),
  body_timeout: reason("Body too slow", "The body did not arrive within 10 s.", "Retry."),
  body_unreadable: reason("Body broken", "The body's stream broke or was used.", "Retry."),
  body_not_kept: reason(
    "Body not kept",
    "A handler read a request body the guard did not keep (a service caller's body over " +
      "`maxBodyBytes`, too slow or broken): the read rejects with `GuardBodyError` (`code`), " +
      "whose `reason` is the guard's. Uncaught, it is 500 `internal_error` (`handler_error`).",
    "In the handler, read `ctx.body` (kind `unread`) instead of the request.",
  ),
  body_not_json: reason("Body not JSON", "The body is not JSON.", "Send a JSON object."),
  body_not_an_object: reason("Body not an object", "The JSON is not an object.", "Send an object."),
  unknown_mode: reason("Unknown mode", "`mode` is not `incremental` or `full`.", "Fix `mode`."),
  scheduled_for_not_a_timestamp: reason(
    "Bad scheduled_for",
    "`scheduled_for` is not an ISO timestamp.",
    "Fix `scheduled_for`.",
  ),
  org_id_not_a_uuid: reason("org_id not a UUID", "`org_id` is not a UUID.", "Send a UUID."),
  not_found: reason(
    "No such bot",
    "`bot-executor` found no bot with that id (`bot_run_refused`; answered `bot_not_found`).",
    "Check the bot id.",
  ),
  other_org: reason(
    "Another organization's bot",
    "The bot belongs to another organization (`bot_run_refused`; answered `org_scope_violation`).",
    "None: only the bot's own organization may run it.",
  ),
  disabled: reason(
    "Bot disabled",
    "The bot is not enabled (`bot_run_refused`; answered `bot_disabled`).",
    "Enable it if it should run.",
  ),
  already_ran: reason(
    "Already ran",
    "This bot already ran for this minute (`bot_run_skipped`); nothing was done.",
    "None: each (bot, minute) runs once.",
  ),
  no_organization: reason(
    "No organization",
    "A user call that names no organization.",
    GRANT,
  ),
} as const satisfies Record<string, CatalogueEntry>;
