/**
 * `./dev run`: starts the local stack, prints its URLs, keys and ready-to-paste
 * curl lines, and stops everything on Ctrl-C, SIGTERM or SIGHUP (one press is
 * one request, however many copies of the signal arrive; see
 * `_local_stack/shutdown.ts`). Every setting has a flag and a LOCAL_STACK_*
 * variable (the flag wins); `--help` lists them. See README.md, "The local stack".
 */
import { type LocalStack, startLocalStack } from "../supabase/local/stack.ts";
import { readOptions } from "./_local_stack/options.ts";
import { listenForStop, say } from "./_local_stack/shutdown.ts";

function statusBlock(s: LocalStack, pausedCron: boolean): string {
  const rows: [string, string][] = [
    ["API URL", s.urls.api],
    ["Functions URL", s.urls.functions],
    ["Functions", s.functionNames.join(", ") || "(none yet)"],
    ["Auth URL", `${s.urls.api}/auth/v1 (Supabase Auth ${s.auth.version}, ${s.auth.signing})`],
    ["JWKS URL", s.urls.jwks],
    ["DB URL", s.urls.db],
    ["Odoo URL", s.urls.odoo],
    ["Webhook receiver", s.urls.receiver ? `${s.urls.receiver}/hook` : "(off)"],
    ["Cron jobs", pausedCron ? "paused (--pause-cron)" : "active; pg_net delivering"],
    ["JWT secret", s.keys.jwtSecret],
    ["anon key", s.keys.anonKey],
    ["service_role key", s.keys.serviceRoleKey],
    ["Publishable key", s.keys.publishableKey],
    ["Secret key", s.keys.secretKey],
    ["Cron secret", s.keys.cronSecret],
    ["Demo org", s.demo.orgId],
    ["Admin token", s.tokens.admin],
    ["Member token", s.tokens.member],
    ["Tokens", "from a password sign-in at /auth/v1 (sign in again when they expire)"],
    ["Admin page", s.urls.admin],
    ["Admin sign-in", `${s.demo.users.admin.email} / ${s.demo.users.admin.password}`],
    ["Member sign-in", `${s.demo.users.member.email} / ${s.demo.users.member.password}`],
    ["State file", s.files?.stackJson ?? "(none)"],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padStart(width)}: ${v}`).join("\n");
}

function curlBlock(s: LocalStack): string {
  return s.curlLines.map((l) => `# ${l.title} (expect ${l.expectStatus})\n${l.command}`).join(
    "\n\n",
  );
}

const write = (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(`${text}\n`));

// Listen before starting, so a Ctrl-C during start-up still stops what started.
let stack: LocalStack | undefined;
let dataDir: string | null = null;
let received: string | null = null;
const signalled = listenForStop(() => ({
  dataDir: stack?.dataDir ?? dataDir,
  stateFiles: stack?.files ? [stack.files.stackJson, stack.files.functionsEnv] : [],
})).then((signal) => (received = signal));

try {
  const options = readOptions(Deno.args);
  say("starting PostgreSQL, migrations, Supabase Auth, demo data, functions…");
  stack = await startLocalStack({ ...options, onDatabaseStarted: (dir) => (dataDir = dir) });
  if (received === null) {
    write(`\nedge-guard local stack\n\n${statusBlock(stack, options.pauseCron ?? false)}\n`);
    write(`Try it (run while the stack is up):\n\n${curlBlock(stack)}\n`);
    write("Local stack ready. Press Ctrl-C to stop.");
  }
} catch (err) {
  say(`failed to start: ${err instanceof Error ? err.message : err}`);
  say("`./dev run --help` lists the settings");
  Deno.exit(1);
}

await signalled;
say(`${received}: stopping…`);
try {
  await stack.stop();
  say("stopped");
  Deno.exit(0);
} catch (err) {
  say(`stop failed: ${err instanceof Error ? err.message : err}`);
  Deno.exit(1);
}
