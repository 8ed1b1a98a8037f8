/**
 * The set-up the Odoo sync tests share: a clean database, one fake Odoo per
 * organization with the organization's `odoo` credential stored in Vault, a
 * log capture, a handler factory with the test defaults, and a check that no
 * secret reached a log line. Dispose with `await using`.
 */
import assert from "node:assert/strict";
import type postgres from "postgres";
import type { OdooSyncDeps } from "../../supabase/functions/_shared/odoo-sync.ts";
import { connect, resetAppData, type Sql, testDatabaseUrl } from "./db.ts";
import { captureLogs } from "./guard_harness.ts";
import {
  type OdooModelName,
  type OdooRecord,
  type OdooServerOptions,
  type OdooTestServer,
  startOdooServer,
} from "../../supabase/local/odoo.ts";
import { TEST_SECRETS, testAuthEnv } from "./tokens.ts";

/** An organization of a {@linkcode syncWorld}. */
export interface SyncOrg {
  id: string;
  odoo: OdooTestServer;
  /** The Odoo user's API key (what the credential holds unless `badKey`). */
  apiKey: string;
}

/** One organization to create. */
export interface SyncOrgSpec {
  /** Records of its fake Odoo. Default: none. */
  records?: Partial<Record<OdooModelName, OdooRecord[]>>;
  /** Clock of its fake Odoo (`write_date` of upserted records). Default: the real clock. */
  odooNow?: () => Date;
  /** Store a revoked key instead of the Odoo user's, so Odoo refuses it. Default false. */
  badKey?: boolean;
  /** Organization name. Default "Org". */
  name?: string;
  /** More options of its fake Odoo (version, record rules, ...). Default: none. */
  odoo?: Partial<OdooServerOptions>;
}

/** A sync function's `createHandler`. */
export type SyncHandlerFactory = (
  deps?: Partial<OdooSyncDeps>,
) => (req: Request) => Promise<Response>;

/**
 * Creates the organization with its own fake Odoo (database `acme`, user
 * `sync@acme.test`) and stores its `odoo` credential.
 *
 * @example
 * const org = await addSyncOrg(sql, { records: { "crm.lead": makeLeads(3, { start }) } });
 */
export async function addSyncOrg(sql: Sql, spec: SyncOrgSpec = {}): Promise<SyncOrg> {
  const id = crypto.randomUUID();
  const apiKey = `odoo-key-${crypto.randomUUID()}`;
  const odoo = startOdooServer({
    db: "acme",
    users: [{ login: "sync@acme.test", apiKey, uid: 2 }],
    records: spec.records,
    now: spec.odooNow,
    ...spec.odoo,
  });
  await sql`insert into public.organizations (id, name) values (${id}, ${spec.name ?? "Org"})`;
  const stored = spec.badKey ? `revoked-${crypto.randomUUID()}` : apiKey;
  await sql`select public.upsert_integration_credential(${id}::uuid, 'odoo', ${stored},
    ${odoo.url}, 'acme', 'sync@acme.test')`;
  return { id, odoo, apiKey };
}

/**
 * A clean database with one organization per spec, a log capture and a handler
 * factory: `handler(deps)` is `createHandler` with the test environment, the
 * pool, the capturing logger, then `defaults`, then `deps`.
 *
 * @param specs the organizations, in order.
 * @param o `createHandler` of the function under test and its default deps (`now`, `sync`, ...).
 * @returns the world; `await using` closes the Odoo servers and the pool.
 * @example
 * await using w = await syncWorld([{ records: { "crm.lead": leads } }], { createHandler });
 * const res = await w.handler()(request);
 * w.assertNoSecretsLogged();
 */
export async function syncWorld(
  specs: SyncOrgSpec[],
  o: { createHandler: SyncHandlerFactory; defaults?: Partial<OdooSyncDeps> },
) {
  const sql = connect(await testDatabaseUrl());
  await resetAppData(sql);
  const orgs: SyncOrg[] = [];
  for (const spec of specs) orgs.push(await addSyncOrg(sql, spec));
  const logs = captureLogs();
  const handler = (deps: Partial<OdooSyncDeps> = {}) =>
    o.createHandler({ env: testAuthEnv(), sql, logger: logs.logger, ...o.defaults, ...deps });
  /** Fails on a log line holding a test secret, an org's API key or one of `extra`. */
  const assertNoSecretsLogged = (extra: string[] = []) => {
    const secrets = [...TEST_SECRETS, ...orgs.map((org) => org.apiKey), ...extra];
    for (const line of logs.lines) {
      for (const s of secrets) assert.ok(!line.includes(s), `secret in log: ${line}`);
    }
  };
  const dispose = async () => {
    await Promise.all(orgs.map((org) => org.odoo.close()));
    await sql.end();
  };
  return { sql, orgs, logs, handler, assertNoSecretsLogged, [Symbol.asyncDispose]: dispose };
}

/** What {@linkcode syncWorld} returns. */
export type SyncWorld = Awaited<ReturnType<typeof syncWorld>>;

/**
 * Runs `query` in a transaction as an authenticated member of `orgId` (role
 * `authenticated`, `app_metadata.claims.organization_id`), so RLS applies.
 *
 * @example
 * const rows = await asOrgMember(sql, orgId, (tx) => tx`select org_id from public.crm_leads`);
 */
export async function asOrgMember<T>(
  sql: Sql,
  orgId: string,
  query: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  const claims = JSON.stringify({
    sub: crypto.randomUUID(),
    role: "authenticated",
    app_metadata: { claims: { organization_id: orgId } },
  });
  return await sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${claims}, true)`;
    await tx`set local role authenticated`;
    return await query(tx);
  }) as T;
}
