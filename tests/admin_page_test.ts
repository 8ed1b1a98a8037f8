/// <reference lib="dom" />
/**
 * The admin's "sync now" page in a real browser (headless Chromium) against a
 * local stack: sign-in, refresh and sign-out against Supabase Auth itself, the CORS preflight with
 * trace propagation on, "Sync now" and its answers in words, the member's
 * view, an expired session, a misconfigured function, a network failure, and
 * 320 px. Saves docs/admin-page.png (the admin view after a sync).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { createClient } from "@supabase/supabase-js";
import { startLocalStack } from "../supabase/local/stack.ts";
import { createHandler as crmSync } from "../supabase/functions/odoo-crm-sync/index.ts";
import { captureLogs } from "./support/guard_harness.ts";
import { launchBrowser } from "./support/browser.ts";

// Every run saves the admin view after a sync to .local/ (ignored by git); the copy in docs/ is
// rewritten when UPDATE_SCREENSHOT=1 (or when missing), so `./dev test` leaves the tree clean.
const DOCS_SCREENSHOT = new URL("../docs/admin-page.png", import.meta.url).pathname;
const RUN_SCREENSHOT = new URL("../.local/admin-page.png", import.meta.url).pathname;

async function screenshotPath(): Promise<string> {
  const exists = await Deno.stat(DOCS_SCREENSHOT).then(() => true, () => false);
  if (Deno.env.get("UPDATE_SCREENSHOT") === "1" || !exists) return DOCS_SCREENSHOT;
  await Deno.mkdir(new URL("../.local/", import.meta.url), { recursive: true });
  return RUN_SCREENSHOT;
}
const TOKEN_TTL = 3;

async function signIn(page: Page, url: string, login: { email: string; password: string }) {
  await page.goto(url);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  const email = page.locator("#email");
  await email.waitFor();
  assert.ok(await email.evaluate((el) => el === document.activeElement), "focus starts on email");
  await page.keyboard.type(login.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(login.password);
  await page.keyboard.press("Enter");
  await page.locator("#jobs li").first().waitFor();
  assert.equal(
    await page.locator("#sign-in").isVisible(),
    false,
    "the form is gone once signed in",
  );
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();

/** Waits (at most ~10 s) until the minute has at least 15 s left, so two clicks share it. */
async function awayFromMinuteEnd() {
  while (new Date().getUTCSeconds() > 45) await new Promise((r) => setTimeout(r, 1000));
}

Deno.test({
  name: "admin page: sign-in, sync now and every answer, in headless Chromium",
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const { logger, events } = captureLogs();
  const stack = await startLocalStack({
    apiPort: 0,
    dbPort: 0,
    pauseCron: true,
    stateDir: null,
    logger,
    authTokenTtlSeconds: TOKEN_TTL,
  });
  // Cron stays paused but for one far-away firing, so the page has a next time to show.
  await stack.sql`select cron.alter_job(jobid, schedule := '0 3 1 1 *', active := true)
    from cron.job where jobname = 'odoo-crm-sync-incremental'`;
  const broken = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    crmSync({ env: { get: (n) => (n === "SUPABASE_DB_URL" ? undefined : stack.env[n]) }, logger }),
  );
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const posts: { url: string; headers: Record<string, string> }[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().includes("/functions/v1/")) {
        posts.push({ url: r.url(), headers: r.headers() });
      }
    });
    const { admin, member } = stack.demo.users;

    await t.step("admin: sync now shows counts, then 'already synced'", async () => {
      await signIn(page, stack.urls.admin, admin);
      assert.equal(await page.evaluate(() => document.activeElement?.id), "jobs-title");
      assert.equal(await text(page, "#job-crm .last-run"), "No run yet.");
      assert.match(await text(page, "#job-crm .next-run"), /^1\/1\/20\d\d, 3:00:00\sAM UTC$/);
      assert.equal(
        await text(page, "#job-chatter .next-run"),
        "Not scheduled (paused or missing).",
      );
      await page.evaluate(() => {
        const seen: string[] = ((globalThis as unknown as { seen: string[] }).seen = []);
        new MutationObserver(() => {
          const b = document.querySelector<HTMLButtonElement>("#job-crm .sync-now");
          if (b?.disabled) seen.push(b.textContent ?? "");
        }).observe(document.body, { subtree: true, childList: true, attributes: true });
      });
      await awayFromMinuteEnd();
      await page.click("#job-crm .sync-now");
      const result = page.locator("#job-crm-result");
      await result.filter({ hasText: "sync succeeded" }).waitFor();
      // `fetched` also counts records of a page's last second read again by the next page.
      assert.match(
        await result.innerText(),
        /^CRM leads: sync succeeded, \d+ fetched from Odoo, 25 saved\.$/,
      );
      assert.match(await text(page, "#job-crm .last-run"), /^Succeeded: \d+ fetched, 25 saved/);
      assert.ok(
        (await page.evaluate(() => (globalThis as unknown as { seen: string[] }).seen))
          .includes("Syncing…"),
        "the button was disabled and said so while running",
      );
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Sync now");
      const shot = await screenshotPath();
      await page.screenshot({ path: shot, fullPage: true });
      const png = await Deno.readFile(shot);
      assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG was saved");
      await page.click("#job-crm .sync-now");
      await result.filter({ hasText: "already synced this minute" }).waitFor();
      assert.match(await text(page, "#status"), /already synced this minute/);
    });

    await t.step("the browser's CORS preflight passed, with traceparent on the call", () => {
      const preflight = events().find((e) =>
        e.event === "function_request" && e.function === "odoo-crm-sync" && e.method === "OPTIONS"
      );
      assert.equal(preflight?.status, 204, "the browser sent a preflight and it passed");
      const sync = posts.find((p) => p.url.endsWith("/odoo-crm-sync"));
      assert.match(sync?.headers.traceparent ?? "", /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      assert.ok(!stack.urls.admin.includes("localhost"), "page and API are different origins");
    });

    await t.step("member: the permission message and no button", async () => {
      await signIn(page, stack.urls.admin, member);
      await page.locator("#permission").waitFor();
      assert.match(await text(page, "#permission"), /grant/);
      assert.match(await text(page, "#permission"), /integration_admin/);
      assert.equal(await page.locator(".sync-now").count(), 0);
      await page.setViewportSize({ width: 320, height: 800 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(overflow <= 320, `readable at 320 px (scrollWidth ${overflow})`);
      await page.setViewportSize({ width: 1024, height: 800 });
    });

    await t.step(
      "the session refreshes against Supabase Auth; sign-out ends it there",
      async () => {
        await signIn(page, stack.urls.admin, admin);
        const stored = () =>
          page.evaluate(() => {
            const key = Object.keys(localStorage).find((k) => k.endsWith("-auth-token"));
            return key ? JSON.parse(localStorage.getItem(key)!) as { refresh_token: string } : null;
          });
        const first = await stored();
        assert.ok(first, "supabase-js keeps the session in localStorage");
        // Tokens live TOKEN_TTL seconds: supabase-js refreshes a session near its expiry when it
        // loads one (and on its 30 s ticker), rotating the refresh token.
        await page.reload();
        let now: { refresh_token: string } | null = first;
        for (let i = 0; i < 200 && now?.refresh_token === first.refresh_token; i++) {
          await new Promise((r) => setTimeout(r, 250));
          now = await stored();
        }
        assert.ok(now && now.refresh_token !== first.refresh_token, "refreshed through /auth/v1");
        await page.click("#sign-out");
        await page.locator("#sign-in").waitFor();
        const res = await fetch(`${stack.urls.api}/auth/v1/token?grant_type=refresh_token`, {
          method: "POST",
          headers: { apikey: stack.keys.anonKey, "Content-Type": "application/json" },
          body: JSON.stringify({ refresh_token: now.refresh_token }),
        });
        assert.equal(res.status, 400, "Auth ended the session: its refresh token no longer works");
        await res.body?.cancel();
      },
    );

    await t.step("a session whose token expired is asked to sign in again", async () => {
      await signIn(page, stack.urls.admin, admin);
      // Signed out everywhere (GoTrue's global logout), then the access token runs out.
      const other = createClient(stack.urls.api, stack.keys.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false },
      });
      await other.auth.signInWithPassword(admin);
      await other.auth.signOut({ scope: "global" });
      await new Promise((r) => setTimeout(r, (TOKEN_TTL + 0.5) * 1000));
      await page.click("#job-chatter .sync-now");
      await page.locator("#status").filter({ hasText: "session has expired" }).waitFor();
      assert.equal(await text(page, "#status"), "Your session has expired. Sign in again.");
      assert.equal(await page.locator("#sign-in").isVisible(), true);
      assert.equal(await page.locator("#dashboard").isVisible(), false);
    });

    await t.step("a function answering 500 server_misconfigured: run the doctor", async () => {
      await signIn(page, stack.urls.admin, admin);
      await page.route(
        "**/functions/v1/odoo-crm-sync",
        (route) =>
          route.request().method() === "POST"
            ? route.fetch({ url: `http://127.0.0.1:${broken.addr.port}/odoo-crm-sync` })
              .then((response) => route.fulfill({ response }))
            : route.continue(),
      );
      await page.click("#job-crm .sync-now");
      const result = page.locator("#job-crm-result");
      await result.filter({ hasText: "server_misconfigured" }).waitFor();
      assert.match(await result.innerText(), /settings are incomplete.*\.\/dev doctor/);
      await page.unroute("**/functions/v1/odoo-crm-sync");
    });

    await t.step("a network failure is said as such", async () => {
      await page.route("**/functions/v1/odoo-chatter-sync", (route) => route.abort("failed"));
      await page.click("#job-chatter .sync-now");
      await page.locator("#job-chatter-result").filter({ hasText: "did not reach" }).waitFor();
      assert.equal(await page.locator("#job-chatter .sync-now").isEnabled(), true);
    });
  } finally {
    await browser.close();
    await broken.shutdown();
    await stack.stop();
  }
});
