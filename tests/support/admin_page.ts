/// <reference lib="dom" />
/**
 * Helpers of the admin page's browser test (tests/admin_page_test.ts):
 * screenshots per state, the minute the "sync now" key is built from, the
 * phases of a click, and facts read from the page (overflow, repeated
 * messages, unnamed controls).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";

/** The states whose screenshot docs/admin-page.md shows. */
export const DOCS_STATES = ["healthy", "failed", "incident"] as const;

const RUN_DIR = new URL("../../.local/admin-page/", import.meta.url);
const docsPath = (state: string) =>
  new URL(`../../docs/admin-page-${state}.png`, import.meta.url).pathname;

/**
 * Saves a full-page screenshot of `state` to `.local/admin-page/<state>.png`
 * (ignored by git) and checks it is a PNG; the docs' copy of a state in
 * {@linkcode DOCS_STATES} is rewritten when UPDATE_SCREENSHOT=1 or missing, so
 * `./dev test` leaves the tree clean.
 */
export async function screenshot(page: Page, state: string): Promise<string> {
  await Deno.mkdir(RUN_DIR, { recursive: true });
  const path = new URL(`${state}.png`, RUN_DIR).pathname;
  await page.screenshot({ path, fullPage: true });
  const png = await Deno.readFile(path);
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], `a PNG of ${state}`);
  if ((DOCS_STATES as readonly string[]).includes(state)) {
    const docs = docsPath(state);
    const exists = await Deno.stat(docs).then(() => true, () => false);
    if (Deno.env.get("UPDATE_SCREENSHOT") === "1" || !exists) await Deno.writeFile(docs, png);
  }
  return path;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (at most ~15 s) until the minute has at least 15 s left, so two clicks share it. */
export async function awayFromMinuteEnd(): Promise<void> {
  while (new Date().getUTCSeconds() > 45) await sleep(1000);
}

/** Waits for the next minute to begin (a new "sync now" key), plus a second. */
export async function nextMinute(): Promise<void> {
  const start = Math.floor(Date.now() / 60_000);
  while (Math.floor(Date.now() / 60_000) === start) await sleep(500);
  await sleep(1000);
}

/** Records the `data-phase` values of a job's card into `globalThis.phases`. */
export async function recordPhases(page: Page, job: string): Promise<void> {
  await page.evaluate((id) => {
    const g = globalThis as unknown as { phases: string[] };
    g.phases = [];
    const card = document.getElementById(id)!;
    new MutationObserver(() => {
      const p = card.dataset.phase ?? "";
      if (g.phases.at(-1) !== p) g.phases.push(p);
    }).observe(card, { attributes: true, attributeFilter: ["data-phase"] });
  }, `job-${job}`);
}

/** What the page shows, as a reader and a screen reader meet it. */
export interface PageFacts {
  scrollWidth: number;
  /** Visible messages (status, overall, outcomes, permission) shown more than once. */
  duplicates: string[];
  /** Buttons and inputs without an accessible name. */
  unlabelled: string[];
}

/** Reads {@linkcode PageFacts}. */
export function pageFacts(page: Page): Promise<PageFacts> {
  return page.evaluate(() => {
    const visible = (e: Element) => (e as HTMLElement).offsetParent !== null;
    const texts = [...document.querySelectorAll("#status, #overall, .job-result, #permission")]
      .filter(visible).map((e) => e.textContent?.trim() ?? "").filter((t) => t !== "");
    const duplicates = texts.filter((t, i) => texts.indexOf(t) !== i);
    const unlabelled = [...document.querySelectorAll("button, input")].filter(visible)
      .filter((e) => {
        const input = e as HTMLInputElement;
        const label = input.labels?.[0]?.textContent ?? "";
        return (e.textContent ?? "").trim() === "" && label.trim() === "" &&
          !e.getAttribute("aria-label");
      }).map((e) => e.outerHTML.slice(0, 80));
    return { scrollWidth: document.documentElement.scrollWidth, duplicates, unlabelled };
  });
}
