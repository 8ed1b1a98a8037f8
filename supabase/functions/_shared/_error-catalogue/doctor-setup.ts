/**
 * The doctor's own findings about Vault, the functions' settings, the watchdog
 * and the database (`./dev doctor`, scripts/_doctor/). Internal: read them
 * through `error-catalogue.ts`.
 */
import type { CatalogueEntry } from "./entry.ts";

const doctor = (title: string, meaning: string, action: string) =>
  ({ kinds: ["doctor"], origin: "function", title, meaning, action }) as const;

const GRANT = "Run the doctor as `postgres` (or grant it `select` on what the detail names).";
const NONE = "None.";

/** Findings about Vault, the functions' settings, the watchdog and the database itself. */
export const DOCTOR_SETUP_CODES = {
  vault_secrets_ok: doctor("Vault fine", "The secrets the jobs read exist and look right.", NONE),
  vault_secret_empty: doctor(
    "Vault secret empty",
    "A secret the jobs read is empty.",
    "Set it with `vault.update_secret`.",
  ),
  vault_project_url_invalid: doctor(
    "project_url not a URL",
    "`project_url` is not an http(s) URL: every cron call fails.",
    "Store `https://<ref>.supabase.co` with `vault.update_secret`.",
  ),
  vault_project_url_path: doctor(
    "project_url has a path",
    "`project_url` has a path or a trailing slash; the jobs append `/functions/v1/<fn>`.",
    "Store just the origin.",
  ),
  vault_project_url_mismatch: doctor(
    "project_url differs from SUPABASE_URL",
    "Vault's `project_url` is another origin than the functions' `SUPABASE_URL`.",
    "Fine if the database reaches the functions under another name; else update it.",
  ),
  vault_service_key_is_anon: doctor(
    "Vault key is public",
    "`service_role_key` holds the anon or a publishable key: every cron call is answered 401.",
    "Store the service key with `vault.update_secret`.",
  ),
  vault_service_key_wrong_role: doctor(
    "Vault key of another role",
    "`service_role_key` is a JWT whose role is not `service_role`.",
    "Store the service key with `vault.update_secret`.",
  ),
  vault_service_key_expired: doctor(
    "Vault key expired",
    "`service_role_key` is an expired JWT.",
    "Store a current service key with `vault.update_secret`.",
  ),
  vault_service_key_unrecognized: doctor(
    "Vault key unrecognized",
    "`service_role_key` is neither a JWT nor an `sb_secret_` key.",
    "Store the service key with `vault.update_secret`.",
  ),
  vault_service_key_not_accepted: doctor(
    "Vault key not accepted",
    "Vault's `service_role_key` is not one of the keys the functions accept: every cron call " +
      "is answered 401.",
    "Store the key the functions accept, or add it to `SUPABASE_SECRET_KEYS`.",
  ),
  env_not_checked: doctor(
    "Settings not checked",
    "No function environment was given.",
    "Pass `--env-file`.",
  ),
  env_ok: doctor("Settings fine", "The function's settings are complete.", NONE),
  env_supabase_url_missing: doctor("SUPABASE_URL not set", "`SUPABASE_URL` is not set.", "Set it."),
  env_no_user_token_verifier: doctor(
    "User tokens unverifiable",
    "None of `JWT_SECRET`, `SUPABASE_JWKS`, `SUPABASE_URL` is set.",
    "Set `SUPABASE_URL`.",
  ),
  env_secret_keys_invalid: doctor(
    "SUPABASE_SECRET_KEYS malformed",
    "`SUPABASE_SECRET_KEYS` is not a JSON object of keys.",
    "Fix it.",
  ),
  env_service_key_missing: doctor(
    "No service key",
    "Neither `SUPABASE_SERVICE_ROLE_KEY` nor `SUPABASE_SECRET_KEYS` is set: cron calls are refused.",
    "Set one.",
  ),
  env_service_key_is_anon: doctor(
    "Service key is public",
    "`SUPABASE_SERVICE_ROLE_KEY` holds the anon or a publishable key.",
    "Set the service key.",
  ),
  env_db_url_missing: doctor(
    "SUPABASE_DB_URL not set",
    "The functions cannot reach the database.",
    "Set it.",
  ),
  env_auth_config_invalid: doctor(
    "Guard setting invalid",
    "A setting the guard reads is malformed: it answers 500 `server_misconfigured`.",
    "Fix the setting the detail names.",
  ),
  cron_secret_not_configured: doctor(
    "CRON_SECRET not set",
    "`x-cron-secret` is in use but this function has no `CRON_SECRET`: its calls fail as 401.",
    "Set the same `CRON_SECRET` everywhere.",
  ),
  cron_secret_mismatch: doctor(
    "CRON_SECRET differs",
    "`CRON_SECRET` differs between functions: calls between them are refused.",
    "Set one value everywhere.",
  ),
  env_outbound_setting_invalid: doctor(
    "OUTBOUND_* setting malformed",
    "An `OUTBOUND_*` setting is malformed: bot-executor and the Odoo syncs answer 500 " +
      "`server_misconfigured`.",
    "`OUTBOUND_ALLOW_PRIVATE` is true or false; `OUTBOUND_*_MAX_BYTES` are byte counts " +
      "(1024 to 67108864).",
  ),
  env_outbound_allow_private: doctor(
    "Outbound development allowance on",
    "`OUTBOUND_ALLOW_PRIVATE` is on: Odoo and bot webhooks may reach loopback and private " +
      "addresses over plain http.",
    "Unset it outside local development (`supabase secrets unset OUTBOUND_ALLOW_PRIVATE`).",
  ),
  db_outbound_allow_private: doctor(
    "Watchdog's development allowance on",
    "`edge_guard_settings.outbound_allow_private` is on: the watchdog accepts loopback and " +
      "private destinations and plain http.",
    "`update public.edge_guard_settings set outbound_allow_private = false;` outside local " +
      "development.",
  ),
  watchdog_ok: doctor("Watchdog quiet", "No watchdog check fires.", NONE),
  watchdog_missing: doctor(
    "No watchdog",
    "The watchdog is not installed, or cannot run without `public.cron_http_requests`.",
    "Apply the migrations (the finding names them).",
  ),
  watchdog_job_inactive: doctor(
    "Watchdog job not running",
    "The `edge-guard-watchdog` cron job is missing or inactive: nobody is alerted.",
    "Missing: run `select public.edge_guard_schedule_jobs();`; inactive: " +
      "`cron.alter_job(jobid, active := true)` (the finding gives the call).",
  ),
  alert_clearing: doctor(
    "Alert clearing",
    "An open alert whose problem is gone; the watchdog resolves it on its next pass.",
    NONE,
  ),
  db_unreachable: doctor(
    "Database unreachable",
    "The doctor could not connect or its transaction failed.",
    "Check `--db-url` and that the database is up.",
  ),
  db_session_not_read_only: doctor(
    "Pooler refused read-only session",
    "The checks ran in a `begin read only` transaction instead.",
    NONE,
  ),
  cron_not_readable: doctor("cron.job unreadable", "`cron.job` could not be read.", GRANT),
  link_table_not_readable: doctor(
    "Request log unreadable",
    "`public.cron_http_requests` could not be read.",
    GRANT,
  ),
  vault_not_readable: doctor(
    "Vault unreadable",
    "`vault.decrypted_secrets` could not be read.",
    GRANT,
  ),
  net_not_readable: doctor("pg_net unreadable", "`net._http_response` could not be read.", GRANT),
  cron_runs_not_readable: doctor(
    "Runs unreadable",
    "`cron.job_run_details` could not be read.",
    GRANT,
  ),
  outbound_settings_not_readable: doctor(
    "Outbound setting unreadable",
    "`public.edge_guard_settings` could not be read for the outbound allowance.",
    GRANT,
  ),
  watchdog_not_readable: doctor(
    "Watchdog unreadable",
    "`public.edge_guard_findings` could not be read.",
    GRANT,
  ),
} as const satisfies Record<string, CatalogueEntry>;
