/**
 * The local stack's public types, re-exported by `stack.ts`. Internal: import
 * them from `stack.ts`.
 */
import type { ProjectKeyOverrides, ProjectKeys } from "../keys.ts";
import type { Sql } from "../../functions/_shared/db.ts";
import type { Logger } from "../../functions/_shared/log.ts";
import type { OdooTestServer } from "../odoo.ts";
import type { LocalAuth } from "../auth.ts";
import type { RuntimeLimits } from "../runtime.ts";

/** An Odoo instance and the integration user the demo credential names. */
export interface OdooTarget {
  url: string;
  db: string;
  login: string;
  apiKey: string;
}

/** What was seeded for the demo organization. */
export interface DemoSeed {
  orgId: string;
  adminUserId: string;
  memberUserId: string;
  botId: string | null;
  slaPolicyId: string | null;
  tokens: { admin: string; member: string };
  /** Sign-in of the demo users at `/auth/v1` (Supabase Auth) and on the admin page. */
  users: {
    admin: { email: string; password: string };
    member: { email: string; password: string };
  };
}

/** Options for `startLocalStack`; the CLI maps flags and LOCAL_STACK_* variables here. */
export interface LocalStackOptions {
  /** Gateway port (project URL). Default 54321; 0 = a free port. */
  apiPort?: number;
  /** PostgreSQL port. Default 54322; 0 = a free port. */
  dbPort?: number;
  /** Keys to use instead of generated ones (JWT secret, anon / service_role / sb_ keys, cron secret, ref). */
  keys?: ProjectKeyOverrides;
  /** An existing Odoo to use. Default: start the Odoo test server with demo leads and messages. */
  odoo?: OdooTarget;
  /** Demo leads in the started Odoo (3 messages each). Default 25. */
  demoLeads?: number;
  /** Demo webhook receiver port. Default 0 (a free port). */
  receiverPort?: number;
  /** Deactivate every cron job (`cron.alter_job(active := false)`) so a caller drives them. Default false. */
  pauseCron?: boolean;
  /** Seed toggles (the demo organization and its tokens are always created). Default: all true. */
  seed?: { odooCredential?: boolean; bot?: boolean; slaPolicy?: boolean };
  /** Lifetime of Supabase Auth's access tokens, in seconds (GOTRUE_JWT_EXP). Default 3600. */
  authTokenTtlSeconds?: number;
  /** How Auth signs: `"ES256"` (a key generated per start, as hosted projects now) or legacy `"HS256"`. Default `"ES256"`. */
  authSigning?: "ES256" | "HS256";
  /** Where `stack.json` and `functions.env` go; null writes nothing. Default `<repo>/.local`. */
  stateDir?: string | null;
  /** Extra variables for the functions' environment (override the generated ones). */
  functionEnv?: Record<string, string>;
  /** The functions folder the gateway serves and watches. Default: this repo's `supabase/functions/`. */
  functionsDir?: string;
  /** The functions' hosted limits, each replaceable. Default: `HOSTED_LIMITS` of `runtime.ts`. */
  limits?: Partial<RuntimeLimits>;
  /** Logger for the gateway, functions and receiver. Default: the console logger. */
  logger?: Logger;
  /**
   * Called as soon as PostgreSQL runs, with its data directory (a CLI that is
   * told to quit mid-start can then say what it leaves behind). Default: none.
   */
  onDatabaseStarted?: (dataDir: string) => void;
}

/** A printed, ready-to-paste request and the status it must get. */
export interface CurlLine {
  title: string;
  expectStatus: number;
  command: string;
}

/** A running stack. */
export interface LocalStack {
  urls: {
    api: string;
    functions: string;
    db: string;
    jwks: string;
    odoo: string;
    receiver: string | null;
    /** The admin's "sync now" page, `<api>/admin/`. */
    admin: string;
  };
  /** Function folders served at start-up (more are picked up as they appear). */
  functionNames: string[];
  keys: ProjectKeys;
  /** Access tokens of the demo users from a real password sign-in: an integration admin and a plain member. */
  tokens: { admin: string; member: string };
  demo: DemoSeed;
  /** The functions' environment (what `functions.env` holds). */
  env: Readonly<Record<string, string>>;
  curlLines: CurlLine[];
  /** A client of the non-superuser `postgres` role (as on hosted Supabase), closed by `stop()`. */
  sql: Sql;
  /** Supabase Auth, routed at `/auth/v1` (its own URL is `auth.url`). */
  auth: LocalAuth;
  /** The started Odoo test server, or null when `options.odoo` was given. */
  odoo: OdooTestServer | null;
  /** Data directory of the cluster (removed by `stop()`). */
  dataDir: string;
  /** `stack.json` and `functions.env`, or null when `stateDir` is null. */
  files: { stackJson: string; functionsEnv: string } | null;
  /** Stops everything in reverse order and removes the state files. Idempotent. */
  stop(): Promise<void>;
}
