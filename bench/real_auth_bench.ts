/**
 * The guard's decision vs a real `supabase.auth.getUser()` round trip to
 * Supabase Auth itself (built from its pinned source, supabase/local/auth.ts)
 * on loopback, on the same real token, HS256 and ES256, in one run:
 *   ./dev bench bench/real_auth_bench.ts
 *
 * Auth runs as its own process against a throwaway PostgreSQL (as in the local
 * stack), behind the same `/auth/v1` proxy as the stack's gateway; getUser is
 * `GET /auth/v1/user`, which verifies the token and loads the user and the
 * session from the database. The guard verifies the token locally (HS256 with
 * JWT_SECRET; ES256 with SUPABASE_JWKS, as the platform injects it).
 */
import { createClient } from "@supabase/supabase-js";
import {
  isAuthContext,
  loadAuthConfig,
  type VerifyOptions,
  verifyRequest,
} from "../supabase/functions/_shared/auth-guard.ts";
import { createLogger } from "../supabase/functions/_shared/log.ts";
import { startCluster } from "../supabase/local/cluster.ts";
import { applyLocalStack } from "../supabase/local/apply.ts";
import { generateProjectKeys } from "../supabase/local/keys.ts";
import {
  authProxy,
  createAuthUser,
  generateSigningKey,
  type LocalAuth,
  setUserClaims,
  signInWithPassword,
  startLocalAuth,
} from "../supabase/local/auth.ts";

const cluster = await startCluster();
const running: { auth?: LocalAuth } = {};
globalThis.addEventListener("unload", () => {
  running.auth?.stopSync();
  cluster.stopSync();
});
await applyLocalStack(cluster.url);
const keys = generateProjectKeys();

// The gateway's /auth/v1 route, started first: its URL is the project URL (the issuer).
let upstream = "";
const gateway = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  (req) => authProxy({ upstream, apiKeys: [keys.anonKey, keys.serviceRoleKey] }).handle(req),
);
gateway.unref();
const projectUrl = `http://127.0.0.1:${gateway.addr.port}`;
const auth = running.auth = await startLocalAuth({
  dbUrl: cluster.url,
  projectUrl,
  jwtSecret: keys.jwtSecret,
  signing: "HS256",
});
upstream = auth.url;

const authUrl = `${projectUrl}/auth/v1`;
const login = { email: "bench@example.test", password: crypto.randomUUID() };
const admin = { url: authUrl, apiKey: keys.serviceRoleKey };
const anon = { url: authUrl, apiKey: keys.anonKey };
const userId = await createAuthUser(admin, login);
const ORG = crypto.randomUUID();
await setUserClaims(admin, userId, { integration_admin: true, organization_id: ORG });
const hsToken = (await signInWithPassword(anon, login)).access_token;
// ES256 mode keeps the legacy secret verify-only, so Auth still accepts the HS256 token.
await auth.restart({ signingKeys: [await generateSigningKey()] });
const esToken = (await signInWithPassword(anon, login)).access_token;

const guard: VerifyOptions = {
  config: loadAuthConfig({
    get: (name) =>
      ({
        SUPABASE_URL: projectUrl,
        JWT_SECRET: keys.jwtSecret,
        SUPABASE_JWKS: JSON.stringify(auth.jwks()),
        SUPABASE_ANON_KEY: keys.anonKey,
        SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
      } as Record<string, string>)[name],
  }),
  logger: createLogger(() => {}),
  functionName: "bench",
};
const supabase = createClient(projectUrl, keys.anonKey, {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
});
const request = (token: string) =>
  new Request("http://localhost:54321/functions/v1/bench", {
    headers: { Authorization: `Bearer ${token}` },
  });
const hsRequest = request(hsToken);
const esRequest = request(esToken);

async function guardAccepts(req: Request) {
  if (!isAuthContext(await verifyRequest(req, guard))) throw new Error("guard refused");
}
async function userOf(token: string) {
  const { data, error } = await supabase.auth.getUser(token);
  if (data.user?.id !== userId) throw new Error(`getUser: ${error?.message}`);
}

// Both sides must accept the same token (and warm up) before timing starts.
await Promise.all([guardAccepts(hsRequest), guardAccepts(esRequest)]);
await userOf(hsToken);
await userOf(esToken);

const g = (group: string, baseline = false) => ({ group, baseline });
Deno.bench("real HS256: verifyRequest (guard)", g("real-hs256", true), async () => {
  await guardAccepts(hsRequest);
});
Deno.bench("real HS256: supabase-js getUser (real Auth, loopback)", g("real-hs256"), async () => {
  await userOf(hsToken);
});
Deno.bench("real ES256: verifyRequest (guard, SUPABASE_JWKS)", g("real-es256", true), async () => {
  await guardAccepts(esRequest);
});
Deno.bench("real ES256: supabase-js getUser (real Auth, loopback)", g("real-es256"), async () => {
  await userOf(esToken);
});
