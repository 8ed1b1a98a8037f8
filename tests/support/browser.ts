/**
 * A headless Chromium for the browser tests: Debian's `chromium` (installed by
 * `./dev test` on first need, never downloaded by Playwright) driven by
 * `playwright-core` from the npm registry (pinned in deno.json / deno.lock),
 * with a fresh user-data-dir and the flags that keep Chromium off the network.
 */
import { type BrowserContext, chromium } from "playwright-core";

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** True when Debian's Chromium is installed. */
export function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/**
 * Launches Chromium headless in a fresh profile; `close()` also removes the profile.
 *
 * @example
 * const browser = await launchBrowser();
 * try { const page = await browser.context.newPage(); } finally { await browser.close(); }
 */
export async function launchBrowser(): Promise<
  { context: BrowserContext; close(): Promise<void> }
> {
  if (!hasChromium()) {
    throw new Error(`${CHROMIUM} is missing: run ./dev test (it installs Debian's chromium)`);
  }
  const profile = await Deno.makeTempDir({ prefix: "edge-guard-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1024, height: 800 },
  });
  return {
    context,
    async close() {
      await context.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}
