/**
 * Local stack internals: the demo Odoo, the webhook receiver and the demo
 * organization's seed (credential, bot, SLA policy, and two users created,
 * granted and signed in through Supabase Auth's API as docs/operations.md
 * tells a team). Imported only by `stack.ts`.
 *
 * @module
 */
import { startDemoReceiver } from "../demo_receiver.ts";
import { randomToken } from "../keys.ts";
import { type AuthEndpoint, createAuthUser, setUserClaims, signInWithPassword } from "../auth.ts";
import type { Closers } from "./services.ts";
import type { DemoSeed, LocalStackOptions, OdooTarget } from "./types.ts";
import { asServiceRole, type Sql } from "../../functions/_shared/db.ts";
import type { Logger } from "../../functions/_shared/log.ts";
// The demo Odoo is the project's faithful JSON-RPC test server, reused as-is
// (test support imported by the local stack on purpose; never deployed).
import { makeLeads, makeMessages, type OdooTestServer, startOdooServer } from "../odoo.ts";

function startDemoOdoo(leadCount: number): { server: OdooTestServer; target: OdooTarget } {
  // Leads last written 3 to 7 days ago: old enough for the sync's settle window
  // and for the demo SLA policy to find stale leads.
  const start = new Date(Date.now() - 7 * 86_400_000);
  const leads = makeLeads(leadCount, { start, stepSeconds: 4 * 3600, sameTimestampEvery: 1 });
  const records = { "crm.lead": leads, "mail.message": makeMessages(leads, 3) };
  const server = startOdooServer({ records });
  return {
    server,
    target: { url: server.url, db: "odoo", login: "admin", apiKey: "test-api-key" },
  };
}

interface SeedOptions {
  odoo: OdooTarget;
  odooCredential: boolean;
  slaPolicy: boolean;
  webhookUrl: string | null;
  auth: AuthAccess;
}

/** Supabase Auth's API with the service_role key (admin) and with the anon key (sign-in). */
export interface AuthAccess {
  admin: AuthEndpoint;
  anon: AuthEndpoint;
}

/**
 * A demo user of `orgId`, through Auth's API: created with a generated
 * password (`POST /admin/users`), granted (`PUT /admin/users/<id>` with
 * `app_metadata.claims`), then signed in with its password for a real access token.
 */
async function demoUser(o: SeedOptions, orgId: string, email: string, admin: boolean) {
  const password = randomToken(9);
  const sub = await createAuthUser(o.auth.admin, { email, password });
  await setUserClaims(o.auth.admin, sub, { integration_admin: admin, organization_id: orgId });
  const session = await signInWithPassword(o.auth.anon, { email, password });
  return { sub, token: session.access_token, login: { email, password } };
}

async function seedDemo(sql: Sql, o: SeedOptions): Promise<DemoSeed> {
  const [org] = await sql<{ id: string }[]>`
    insert into public.organizations (name) values ('Demo Org') returning id::text`;
  if (o.odooCredential) {
    await asServiceRole(
      sql,
      (tx) =>
        tx`select public.upsert_integration_credential(${org.id}::uuid, 'odoo', ${o.odoo.apiKey},
        ${o.odoo.url}, ${o.odoo.db}, ${o.odoo.login}, '{}'::jsonb)`,
    );
  }
  const bot = o.webhookUrl === null ? [] : await sql<{ id: string }[]>`
    insert into public.bots (org_id, name, interval_minutes, webhook_url, payload)
    values (${org.id}::uuid, 'Demo webhook bot', 5, ${o.webhookUrl},
      ${sql.json({ source: "edge-guard local stack" })})
    returning id::text`;
  const policy = !o.slaPolicy ? [] : await sql<{ id: string }[]>`
    insert into public.sla_policies (org_id, name, max_hours_without_progress)
    values (${org.id}::uuid, 'No progress for 48 hours', 48) returning id::text`;
  const admin = await demoUser(o, org.id, "admin@demo.local", true);
  const member = await demoUser(o, org.id, "member@demo.local", false);
  return {
    orgId: org.id,
    adminUserId: admin.sub,
    memberUserId: member.sub,
    botId: bot[0]?.id ?? null,
    slaPolicyId: policy[0]?.id ?? null,
    tokens: { admin: admin.token, member: member.token },
    users: { admin: admin.login, member: member.login },
  };
}

/** The demo Odoo (unless `options.odoo`), the webhook receiver and the seed. */
export async function startDemo(closers: Closers, sql: Sql, options: LocalStackOptions, o: {
  logger: Logger;
  auth: AuthAccess;
}) {
  const demoOdoo = options.odoo ? null : startDemoOdoo(options.demoLeads ?? 25);
  if (demoOdoo) closers.add(() => demoOdoo.server.close());
  const target = options.odoo ?? demoOdoo!.target;
  const receiver = (options.seed?.bot ?? true)
    ? startDemoReceiver({ port: options.receiverPort, logger: o.logger })
    : null;
  if (receiver) closers.add(() => receiver.close());
  const demo = await seedDemo(sql, {
    odoo: target,
    odooCredential: options.seed?.odooCredential ?? true,
    slaPolicy: options.seed?.slaPolicy ?? true,
    webhookUrl: receiver ? `${receiver.url}/hook` : null,
    auth: o.auth,
  });
  return { odoo: demoOdoo?.server ?? null, odooUrl: target.url, receiver, demo };
}
