/// <reference lib="dom" />
/**
 * Renders the status the integration-status function answers: one card per
 * job (last run, next scheduled time, a "Sync now" button for those who may
 * sync) and the open alerts. Plain DOM, text only (never innerHTML).
 */

/** A job as integration-status answers it. */
export interface Job {
  job: string;
  label: string;
  function: string;
  schedule: string | null;
  next_run_at: string | null;
  last_run: null | {
    status: string;
    trigger: string;
    started_at: string;
    finished_at: string | null;
    fetched: number;
    upserted: number;
    error: string | null;
  };
}

/** An open alert. */
export interface Alert {
  check_id: string;
  subject: string;
  severity: string;
  detail: string | null;
  last_seen_at: string;
}

const time = (iso: string) => new Date(iso).toLocaleString(undefined, { timeZoneName: "short" });

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

/** "succeeded, 25 fetched, 25 saved (manual, 10:22)" and friends. */
export function describeRun(run: Job["last_run"]): string {
  if (run === null) return "No run yet.";
  const when = `${run.trigger === "manual" ? "sync now" : "scheduled"}, started ${
    time(run.started_at)
  }`;
  if (run.status === "running") return `Running (${when}).`;
  if (run.status === "failed") return `Failed: ${run.error ?? "unknown error"} (${when}).`;
  const counts = `${run.fetched} fetched, ${run.upserted} saved`;
  const word = run.status === "incomplete"
    ? "Incomplete (time limit reached; continues next run)"
    : "Succeeded";
  return `${word}: ${counts} (${when}).`;
}

function row(dl: HTMLDListElement, term: string, value: string, cls: string) {
  dl.append(el("dt", term), el("dd", value, { class: cls }));
}

/** One job's card; the button is left out when the caller may not sync. */
export function jobCard(job: Job, canSync: boolean): HTMLLIElement {
  const li = el("li", "", { id: `job-${job.job}`, class: "job" });
  const heading = el("h3", job.label, { id: `job-${job.job}-title` });
  const dl = el("dl");
  row(dl, "Last run", describeRun(job.last_run), "last-run");
  const next = job.next_run_at === null
    ? "Not scheduled (paused or missing)."
    : time(job.next_run_at);
  row(dl, "Next scheduled run", next, "next-run");
  const result = el("p", "", {
    class: "job-result",
    id: `job-${job.job}-result`,
    "aria-live": "polite",
  });
  li.append(heading, dl, result);
  if (canSync) {
    const button = el("button", "Sync now", {
      type: "button",
      class: "sync-now",
      "data-job": job.job,
      "data-function": job.function,
      "aria-describedby": `job-${job.job}-title job-${job.job}-result`,
    });
    li.append(button);
  }
  return li;
}

/** The alert list items (or one "none" item). */
export function alertItems(alerts: Alert[] | null): HTMLLIElement[] {
  if (alerts === null) return [el("li", "Alerts are not available on this project yet.")];
  if (alerts.length === 0) return [el("li", "No open alerts.")];
  return alerts.map((a) =>
    el(
      "li",
      `${a.severity}: ${a.check_id} (${a.subject}). ${a.detail ?? ""} Last seen ${
        time(a.last_seen_at)
      }.`,
      { class: `alert ${a.severity}` },
    )
  );
}
