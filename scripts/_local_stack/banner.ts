/**
 * What `./dev run` prints once the stack is up: a compact status block that
 * fits an 80×24 terminal (URLs, the admin page's sign-ins, where the keys
 * are, what to run next). The keys and tokens stay in `.local/`; the curl
 * examples are printed by `./dev try`. Imported only by `scripts/local_stack.ts`.
 *
 * @module
 */
import { relative } from "node:path";
import type { LocalStack } from "../../supabase/local/stack.ts";

/** The last line of the block: tools and tests wait for it. */
export const READY_LINE = "Local stack ready. Press Ctrl-C to stop.";

/** What the block needs of the running stack. */
export type BannerFacts = Pick<LocalStack, "urls" | "functionNames" | "demo" | "files"> & {
  auth: Pick<LocalStack["auth"], "version" | "signing">;
};

/** Splits `value` at ", " or spaces into lines of at most `width` characters (long words stay whole). */
function wrap(value: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of value.split(/(?<=,) | /)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

const shortPath = (path: string, cwd: string) => {
  const rel = relative(cwd, path);
  return rel.startsWith("..") ? path : rel;
};

/**
 * The status block, one string per line, each at most `width` columns where
 * the values allow (a URL is never cut).
 *
 * @param s the running stack.
 * @param options `pausedCron`, `width` (default 80), `cwd` (default `Deno.cwd()`, for short paths).
 * @returns the lines, {@linkcode READY_LINE} last.
 * @example
 * console.log(statusBlock(stack, { pausedCron: false }).join("\n"));
 */
export function statusBlock(
  s: BannerFacts,
  options: { pausedCron: boolean; width?: number; cwd?: string },
): string[] {
  const width = options.width ?? 80, cwd = options.cwd ?? Deno.cwd();
  const { admin, member } = s.demo.users;
  const files = s.files
    ? `${shortPath(s.files.functionsEnv, cwd)} (keys), ${shortPath(s.files.stackJson, cwd)}`
    : "(not written: --state-dir none)";
  const rows: [string, string][] = [
    ["API URL", s.urls.api],
    ["Functions", `${s.urls.functions}/<name>: ${s.functionNames.join(", ") || "(none yet)"}`],
    ["Auth", `${s.urls.api}/auth/v1 (Supabase Auth ${s.auth.version}, ${s.auth.signing})`],
    ["DB URL", s.urls.db],
    ["Odoo URL", `${s.urls.odoo} (demo)`],
    ["Cron jobs", options.pausedCron ? "paused (--pause-cron)" : "active; pg_net delivering"],
    ["Admin page", s.urls.admin],
    ["Admin sign-in", `${admin.email} / ${admin.password}`],
    ["Member sign-in", `${member.email} / ${member.password}`],
    ["Keys", files],
    ["Demo org", s.demo.orgId],
    ["Tokens", "./dev token --org <demo org> [--admin]"],
    ["Try it", "./dev try prints ready-to-paste curl requests"],
    ["Commands", "./dev help; logs follow below (--json-logs for JSON)"],
  ];
  const label = Math.max(...rows.map(([k]) => k.length));
  const indent = " ".repeat(label + 2);
  const lines = ["edge-guard local stack", ""];
  for (const [k, v] of rows) {
    const [first, ...rest] = wrap(v, width - label - 2);
    lines.push(`${k.padStart(label)}: ${first}`, ...rest.map((r) => `${indent}${r}`));
  }
  return [...lines, "", READY_LINE];
}
