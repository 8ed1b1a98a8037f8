/**
 * `./dev run`: starts the local stack, prints a status block that fits an
 * 80×24 terminal (`_local_stack/banner.ts`; the curl examples are printed by
 * `./dev try`), then the logs: one human line each at a terminal
 * (`_local_stack/human_log.ts`), JSON lines otherwise or with `--json-logs`.
 * Stops everything on Ctrl-C, SIGTERM or SIGHUP (one press is one request,
 * however many copies of the signal arrive; see `_local_stack/shutdown.ts`).
 * Every setting has a flag and a LOCAL_STACK_* variable (the flag wins);
 * `--help` lists them. See docs/local-stack.md.
 */
import { type LocalStack, startLocalStack } from "../supabase/local/stack.ts";
import { readOptions } from "./_local_stack/options.ts";
import { listenForStop, say } from "./_local_stack/shutdown.ts";
import { statusBlock } from "./_local_stack/banner.ts";
import { humanLogger, logMode } from "./_local_stack/human_log.ts";

/** The terminal's columns; 80 when it cannot say (a pty of size 0). */
function terminalWidth(): number {
  try {
    const { columns } = Deno.consoleSize();
    return columns >= 40 ? columns : 80;
  } catch {
    return 80;
  }
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
  const { jsonLogs, ...options } = readOptions(Deno.args);
  const human = logMode({ terminal: Deno.stdout.isTerminal(), jsonLogs }) === "human";
  const width = human ? terminalWidth() : 80;
  const logger = human ? humanLogger(write, width) : undefined;
  say("starting PostgreSQL, migrations, Supabase Auth, demo data, functions…");
  stack = await startLocalStack({
    ...options,
    logger,
    onDatabaseStarted: (dir) => (dataDir = dir),
  });
  if (received === null) {
    write(`\n${statusBlock(stack, { pausedCron: options.pauseCron ?? false, width }).join("\n")}`);
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
