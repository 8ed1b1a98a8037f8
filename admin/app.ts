/// <reference lib="dom" />
/**
 * The admin's "sync now" page: sign in with email and password (supabase-js),
 * see the organization's integration jobs and open alerts (the
 * integration-status function), press "Sync now" (odoo-crm-sync /
 * odoo-chatter-sync through `supabase.functions.invoke`). Every answer is said
 * in words (`_app/messages.ts`). Only the anon key is in the browser.
 * See docs/admin-page.md to reuse it in an app.
 */
import "./_app/tracing.ts";
import { createClient, FunctionsFetchError, type SupabaseClient } from "@supabase/supabase-js";
import { type Answer, cardOutcome, describeAnswer, type Message } from "./_app/messages.ts";
import { type IntegrationStatus, renderAlerts, renderJob, renderOverview } from "./_app/view.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $("status"), form = $<HTMLFormElement>("sign-in"), board = $("dashboard");
const signOutButton = $<HTMLButtonElement>("sign-out"), who = $("who");
let supabase: SupabaseClient;
let signingOut = false;
let poll: ReturnType<typeof setTimeout> | undefined;
/** Each phase of "Sync now" stays on screen at least this long, however fast the call. */
const PHASE_MS = 700;
/** While a run is in flight, the status is read again this often. */
const POLL_MS = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The page-level line (sign-in, loading, errors of the status itself); empty when none. */
function say(message: Message | string): void {
  const m = typeof message === "string" ? { tone: "info", text: message } : message;
  status.textContent = m.text;
  status.className = m.tone;
}

/** Calls a function; whatever happens, returns an {@linkcode Answer}. */
async function invoke(name: string, options: { method?: "GET"; body?: object }): Promise<Answer> {
  const { data, error } = await supabase.functions.invoke(name, options);
  if (error === null) return { kind: "http", status: 200, body: data };
  if (error instanceof FunctionsFetchError) return { kind: "network" };
  const res = error.context as Response;
  const body = await res.json().catch(() => null);
  return { kind: "http", status: res.status, body };
}

function showSignIn(message: Message | string): void {
  clearTimeout(poll);
  board.hidden = true;
  signOutButton.hidden = true;
  who.hidden = true;
  form.hidden = false;
  say(message);
  $<HTMLInputElement>("email").focus();
}

async function loadStatus(): Promise<boolean> {
  clearTimeout(poll);
  const answer = await invoke("integration-status", { method: "GET" });
  if (answer.kind !== "http" || answer.status !== 200) {
    const message = describeAnswer("Status", answer);
    if (message.signInAgain) showSignIn(message);
    else say(message);
    return false;
  }
  const body = answer.body as IntegrationStatus & { can_sync: boolean };
  say("");
  renderOverview(body);
  for (const job of body.jobs) renderJob($("jobs"), job, body.can_sync);
  renderAlerts(body.alerts);
  const permission = $("permission");
  permission.hidden = body.can_sync;
  permission.textContent = "You can see the status but not run a sync: your account lacks " +
    "the integration_admin right. Ask an administrator of your organization to grant it.";
  if (body.jobs.some((j) => j.next_attempt.reason === "in_flight")) {
    poll = setTimeout(() => void loadStatus(), POLL_MS);
  }
  return true;
}

async function showBoard(email: string): Promise<void> {
  form.hidden = true;
  board.hidden = false;
  signOutButton.hidden = false;
  who.hidden = false;
  who.textContent = `Signed in as ${email}`;
  if (await loadStatus()) $("org-name").focus();
}

/** Shows one phase of a sync in the job's live region (and on the card, for styles and tests). */
function phase(card: HTMLElement, name: string, message: Message): void {
  card.dataset.phase = name;
  const result = card.querySelector(".job-result")!;
  result.textContent = message.text;
  result.className = `job-result ${message.tone}`;
}

async function syncNow(button: HTMLButtonElement): Promise<void> {
  const job = button.dataset.job!, card = $(`job-${job}`);
  const label = card.querySelector("h4")!.textContent ?? job;
  button.disabled = true;
  button.textContent = "Syncing…";
  card.setAttribute("aria-busy", "true");
  phase(card, "requested", { tone: "info", text: `${label}: sync requested…` });
  const call = invoke(button.dataset.function!, { body: { mode: "incremental" } });
  await sleep(PHASE_MS);
  phase(card, "running", { tone: "info", text: `${label}: sync in progress…` });
  const [answer] = await Promise.all([call, sleep(PHASE_MS)]);
  const message = cardOutcome(label, answer);
  card.removeAttribute("aria-busy");
  if (message.signInAgain) return showSignIn(message);
  phase(card, "done", message);
  await loadStatus();
  if (!button.disabled) button.focus();
}

async function start(): Promise<void> {
  const config = await (await fetch("config.json")).json();
  supabase = createClient(config.supabaseUrl, config.anonKey, {
    tracePropagation: { enabled: true },
  });
  supabase.auth.onAuthStateChange((event: string) => {
    // Never await supabase calls inside this callback (auth-js holds its lock).
    if (event !== "SIGNED_OUT") return;
    const text = signingOut ? "You are signed out." : "Your session has expired. Sign in again.";
    signingOut = false;
    setTimeout(() => showSignIn({ tone: "info", text, signInAgain: true }), 0);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const email = String(data.get("email")), password = String(data.get("password"));
    say("Signing in…");
    const { error } = await supabase.auth.signInWithPassword({ email, password });
    if (error) {
      say({ tone: "error", text: `Sign-in failed: ${error.message}. Check email and password.` });
      return $<HTMLInputElement>("password").focus();
    }
    $<HTMLInputElement>("password").value = "";
    say("Signed in.");
    await showBoard(email);
  });
  signOutButton.addEventListener("click", async () => {
    signingOut = true;
    await supabase.auth.signOut();
  });
  $("jobs").addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>(".sync-now");
    if (button && !button.disabled) void syncNow(button);
  });
  const { data } = await supabase.auth.getSession();
  if (data.session) await showBoard(data.session.user.email ?? "");
  else showSignIn("Sign in to see your organization's integrations.");
}

start().catch(() => say({ tone: "error", text: "The page could not start: reload it." }));
