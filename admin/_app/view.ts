/// <reference lib="dom" />
/**
 * Renders the status the integration-status function answers: the
 * organization's name and overall state, one card per job (last success,
 * last attempt with what to do, next attempt and why, recent runs, and a
 * "Sync now" button for those who may sync) and the open alerts in words.
 * Cards are updated in place, so a job's live outcome region and button keep
 * their identity (and focus) across refreshes. Plain DOM, text only (never
 * innerHTML); the words come from `words.ts` and `codes.ts`.
 */
import { alertWords } from "./codes.ts";
import {
  historyWords,
  type IntegrationStatus,
  type JobStatus,
  lastAttemptWords,
  lastSuccessWords,
  nextAttemptWords,
  overallWords,
} from "./words.ts";

export type { IntegrationStatus, JobStatus };
/** An open alert as integration-status answers it. */
export type Alert = NonNullable<IntegrationStatus["alerts"]>[number];

/** Times in the reader's locale and time zone, to the minute. */
export const time = (iso: string) =>
  new Date(iso).toLocaleString(undefined, {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  });

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text = "",
  attrs: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.textContent = text;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

/** The heading and the overall state line. */
export function renderOverview(status: IntegrationStatus): void {
  document.getElementById("org-name")!.textContent = status.organization_name ??
    "Your organization";
  const line = document.getElementById("overall")!;
  const words = overallWords(status.overall, time);
  if (line.textContent !== words.text) line.textContent = words.text;
  line.className = `overall ${words.tone}`;
  line.dataset.state = status.overall.state;
}

function card(job: JobStatus): HTMLLIElement {
  const id = `job-${job.job}`;
  const li = el("li", "", { id, class: "job", "aria-labelledby": `${id}-title` });
  li.append(
    el("h4", job.label, { id: `${id}-title` }),
    el("dl"),
    el("h5", "Recent runs", { id: `${id}-history-title` }),
    el("ol", "", { class: "history", "aria-labelledby": `${id}-history-title` }),
    el("p", "", { class: "job-result", id: `${id}-result`, role: "status", "aria-live": "polite" }),
    el("p", "", { class: "sync-note", id: `${id}-note` }),
  );
  return li;
}

function syncButton(li: HTMLLIElement, job: JobStatus): HTMLButtonElement {
  const found = li.querySelector<HTMLButtonElement>(".sync-now");
  if (found) return found;
  const id = `job-${job.job}`;
  const button = el("button", "Sync now", {
    type: "button",
    class: "sync-now",
    "data-job": job.job,
    "data-function": job.function,
    "aria-describedby": `${id}-title ${id}-note`,
  });
  li.querySelector(".job-result")!.before(button);
  return button;
}

/** Fills (creating it when missing) one job's card inside `list`. */
export function renderJob(list: HTMLElement, job: JobStatus, canSync: boolean): HTMLLIElement {
  const li = document.getElementById(`job-${job.job}`) as HTMLLIElement | null ??
    list.appendChild(card(job));
  const dl = li.querySelector("dl")!;
  const row = (term: string, value: string, cls: string) => [
    el("dt", term),
    el("dd", value, { class: cls }),
  ];
  dl.replaceChildren(
    ...row("Last success", lastSuccessWords(job.last_success, time), "last-success"),
    ...row("Last attempt", lastAttemptWords(job.last_run, time), "last-run"),
    ...row("Next attempt", nextAttemptWords(job.next_attempt, time), "next-run"),
  );
  const items = job.history.map((r) => el("li", historyWords(r, time), { class: r.status }));
  li.querySelector(".history")!.replaceChildren(
    ...(items.length > 0 ? items : [el("li", "No runs yet.")]),
  );
  const note = li.querySelector(".sync-note")!;
  if (!canSync) return li;
  const button = syncButton(li, job);
  if (li.getAttribute("aria-busy") === "true") return li; // our own click is in progress
  const inFlight = job.next_attempt.reason === "in_flight";
  button.disabled = inFlight;
  button.textContent = inFlight ? "Sync running…" : "Sync now";
  note.textContent = inFlight
    ? "Sync now is unavailable while a run is in progress; it returns when the run ends."
    : "";
  return li;
}

function alertItem(a: Alert): HTMLLIElement {
  const words = alertWords(a.check_id);
  const li = el("li", "", { class: `alert ${a.severity}` });
  const scope = a.project_wide
    ? "Project-wide: affects every organization of this project, yours included."
    : "Concerns your organization.";
  const what = el("p");
  what.append(el("strong", "What to do: "), words.action);
  li.append(
    el("h4", words.title),
    el("p", `Open since ${time(a.opened_at)}. ${scope}`, { class: "alert-when" }),
    el("p", words.meaning),
    what,
  );
  if (a.detail) li.append(el("p", `Detail: ${a.detail}`, { class: "alert-detail" }));
  return li;
}

/** The open alerts (the section is hidden when there are none or they cannot be read). */
export function renderAlerts(alerts: Alert[] | null): void {
  const section = document.getElementById("alerts-section")!;
  section.hidden = alerts === null || alerts.length === 0;
  document.getElementById("alerts")!.replaceChildren(...(alerts ?? []).map(alertItem));
}
