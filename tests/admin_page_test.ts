/// <reference lib="dom" />
/**
 * The admin's "sync now" page in a real browser (headless Chromium) against a
 * local stack, state by state, with a screenshot per state
 * (`.local/admin-page/<state>.png`): never synced, failed with what to do,
 * backoff, healthy, syncing (a run in flight), the incident alert (a
 * project-wide 401 alert while the last runs succeeded), the member without
 * rights on a 375 px phone; then sign-in, refresh and sign-out against
 * Supabase Auth itself, the CORS preflight with trace propagation, an expired
 * session, a misconfigured function and a network failure.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { createClient } from "@supabase/supabase-js";
import { type LocalStack, startLocalStack } from "../supabase/local/stack.ts";
import { createHandler as crmSync } from "../supabase/functions/odoo-crm-sync/index.ts";
import { captureLogs } from "./support/guard_harness.ts";
import { launchBrowser } from "./support/browser.ts";
import {
  awayFromMinuteEnd,
  nextMinute,
  pageFacts,
  recordPhases,
  screenshot,
} from "./support/admin_page.ts";

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
  await page.locator("#jobs li.job").first().waitFor();
  assert.equal(await page.locator("#sign-in").isVisible(), false, "the form is gone");
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();

/** Reloads the page and waits for the dashboard. */
async function reload(page: Page) {
  await page.reload();
  await page.locator("#overall:not(:empty)").waitFor();
}

/** Sets the organization's failures in a row (and the backoff's end) in the sync state. */
async function backoff(stack: LocalStack, failures: number, until: Date) {
  const cols = await stack.sql<{ column_name: string }[]>`
    select column_name from information_schema.columns
    where table_schema = 'public' and table_name = 'sync_org_state'`;
  const due = cols.some((c) => c.column_name === "next_due_at");
  await stack.sql`update public.sync_org_state set consecutive_failures = ${failures},
      next_attempt_at = ${until}
    where org_id = ${stack.demo.orgId}::uuid and job = 'crm'`;
  if (due) {
    await stack.sql`update public.sync_org_state set next_due_at = ${until}
      where org_id = ${stack.demo.orgId}::uuid and job = 'crm'`;
  }
}

Deno.test({
  name: "admin page: every state an admin can meet, in headless Chromium",
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
  const orgId = stack.demo.orgId;
  try {
    const page = await browser.context.newPage();
    const posts: { url: string; headers: Record<string, string> }[] = [];
    const missing: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().includes("/functions/v1/")) {
        posts.push({ url: r.url(), headers: r.headers() });
      }
    });
    page.on("response", (r) => {
      if (r.status() === 404) missing.push(r.url());
    });
    const { admin, member } = stack.demo.users;

    await t.step("never synced: the organization's name, one state, focus on it", async () => {
      await signIn(page, stack.urls.admin, admin);
      assert.equal(await text(page, "#org-name"), "Demo Org");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "org-name");
      assert.match(await text(page, "#overall"), /^Not synced yet/);
      assert.equal(await text(page, "#job-crm .last-success"), "Never.");
      assert.equal(await text(page, "#job-crm .last-run"), "No attempt yet.");
      assert.match(await text(page, "#job-crm .next-run"), /^Jan 1, 03:00 AM UTC: on schedule\.$/);
      assert.match(await text(page, "#job-chatter .next-run"), /^Not scheduled/);
      assert.equal(await page.locator("#alerts-section").isVisible(), false, "no alerts, no list");
      assert.deepEqual(missing, [], "no 404 (a favicon is served)");
    });

    await t.step("failed with what to do; a second click says the real state", async () => {
      stack.odoo!.setFailure({ kind: "accessDenied" });
      await awayFromMinuteEnd();
      await recordPhases(page, "crm");
      await page.click("#job-crm .sync-now");
      const result = page.locator("#job-crm-result");
      await result.filter({ hasText: "odoo_auth_failed" }).waitFor();
      assert.equal(
        await result.innerText(),
        "CRM leads: the sync failed (odoo_auth_failed). What to do is under “Last attempt”.",
      );
      assert.deepEqual(
        await page.evaluate(() => (globalThis as unknown as { phases: string[] }).phases),
        ["requested", "running", "done"],
        "pressed, in progress, outcome: each shown even when the call is fast",
      );
      assert.match(
        await text(page, "#job-crm .last-run"),
        /^Failed \(odoo_auth_failed\) .*sync now\)\. Odoo refused/,
      );
      assert.match(await text(page, "#job-crm .next-run"), /retry after 1 failure in a row/);
      assert.match(await text(page, "#overall"), /^Waiting to retry until /);
      assert.match(await text(page, "#job-crm .history li:first-child"), /sync now · Failed/);
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Sync now");
      await screenshot(page, "failed");
      await page.click("#job-crm .sync-now");
      await result.filter({ hasText: "this minute's run failed" }).waitFor();
      assert.doesNotMatch(await result.innerText(), /synced/);
      const facts = await pageFacts(page);
      assert.deepEqual(facts.duplicates, [], "no message is shown twice");
      await page.setViewportSize({ width: 375, height: 812 });
      const phone = await pageFacts(page);
      assert.ok(phone.scrollWidth <= 375, `the admin's view fits 375 px (${phone.scrollWidth})`);
      assert.deepEqual(phone.unlabelled, [], "every control has a name");
      await page.setViewportSize({ width: 1024, height: 800 });
    });

    await t.step("backoff after 3 failures, said with its reason", async () => {
      await backoff(stack, 3, new Date(Date.now() + 3 * 3600_000));
      await reload(page);
      assert.match(
        await text(page, "#job-crm .next-run"),
        /retry after 3 failures in a row \(backing off\)/,
      );
      assert.match(await text(page, "#overall"), /^Waiting to retry until/);
      await screenshot(page, "backoff");
    });

    await t.step("healthy: both jobs synced; 'already' only after a real success", async () => {
      stack.odoo!.setFailure(null);
      await nextMinute();
      for (const job of ["crm", "chatter"]) {
        await page.click(`#job-${job} .sync-now`);
        await page.locator(`#job-${job}-result`).filter({ hasText: "sync succeeded" }).waitFor();
      }
      assert.match(
        await text(page, "#job-crm-result"),
        /^CRM leads: sync succeeded, \d+ fetched from Odoo, 25 saved\.$/,
      );
      assert.match(await text(page, "#job-crm .last-success"), /: \d+ fetched, 25 saved\.$/);
      assert.match(await text(page, "#overall"), /^Healthy/);
      assert.equal(await page.locator("#overall").getAttribute("data-state"), "healthy");
      await screenshot(page, "healthy");
      await page.click("#job-crm .sync-now");
      await page.locator("#job-crm-result").filter({ hasText: "already synced successfully" })
        .waitFor();
    });

    await t.step(
      "syncing: a run in flight disables Sync now, with the reason, until it ends",
      async () => {
        const [{ id }] = await stack.sql<{ id: string }[]>`insert into public.sync_runs
          (idempotency_key, integration, job, scheduled_for, started_at, status, org_id)
        values (${`odoo:chatter:org:${orgId}:in-flight`}, 'odoo', 'chatter', now(), now(),
          'running', ${orgId}::uuid)
        returning id::text`;
        await reload(page);
        assert.match(await text(page, "#overall"), /^Syncing/);
        const button = page.locator("#job-chatter .sync-now");
        assert.equal(await button.isDisabled(), true);
        assert.match(
          await text(page, "#job-chatter-note"),
          /unavailable while a run is in progress/,
        );
        assert.match(await text(page, "#job-chatter .next-run"), /a run is in progress/);
        await screenshot(page, "syncing");
        await stack.sql`update public.sync_runs set status = 'succeeded', finished_at = now(),
          org_results = ${JSON.stringify({ [orgId]: { status: "ok", complete: true, fetched: 0 } })}
            ::text::jsonb
        where id = ${id}::bigint`;
        await page.locator("#job-chatter .sync-now:enabled").waitFor({ timeout: 10_000 });
        assert.match(await text(page, "#overall"), /^Healthy/, "the page read the status again");
      },
    );

    await t.step(
      "the incident: a project-wide 401 alert makes the state failing, explained",
      async () => {
        await stack.sql`insert into public.edge_guard_alerts (check_id, subject, severity, detail)
        values ('http_auth_rejected', 'odoo-crm-sync-incremental', 'error',
          'the latest 3 calls were answered 401')`;
        await reload(page);
        assert.match(await text(page, "#overall"), /^Failing since /);
        assert.match(await text(page, "#job-crm .last-run"), /^Succeeded/, "the card is unchanged");
        const alert = page.locator("#alerts li").first();
        assert.match(await alert.innerText(), /refused \(401\/403\)/);
        assert.match(await alert.innerText(), /Project-wide: affects every organization/);
        assert.match(await alert.innerText(), /What to do: .*service_role_key/);
        await screenshot(page, "incident");
        await stack.sql`update public.edge_guard_alerts set resolved_at = now()
        where check_id = 'http_auth_rejected' and resolved_at is null`;
      },
    );

    await t.step("the browser's CORS preflight passed, with traceparent on the call", () => {
      const preflight = events().find((e) =>
        e.event === "function_request" && e.function === "odoo-crm-sync" && e.method === "OPTIONS"
      );
      assert.equal(preflight?.status, 204, "the browser sent a preflight and it passed");
      const sync = posts.find((p) => p.url.endsWith("/odoo-crm-sync"));
      assert.match(sync?.headers.traceparent ?? "", /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      assert.ok(!stack.urls.admin.includes("localhost"), "page and API are different origins");
    });

    await t.step("member without rights, on a 375 px phone", async () => {
      await page.setViewportSize({ width: 375, height: 812 });
      await signIn(page, stack.urls.admin, member);
      await page.locator("#permission").waitFor();
      assert.match(await text(page, "#permission"), /integration_admin.*grant/);
      assert.equal(await page.locator(".sync-now").count(), 0);
      const facts = await pageFacts(page);
      assert.ok(facts.scrollWidth <= 375, `fits 375 px (scrollWidth ${facts.scrollWidth})`);
      assert.deepEqual(facts.duplicates, []);
      assert.deepEqual(facts.unlabelled, [], "every control has a name");
      await screenshot(page, "member");
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
