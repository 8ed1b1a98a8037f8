/**
 * docs/errors.md shows the error catalogue as it is: its tables are rendered
 * from ERROR_CATALOGUE and must equal the page's. `UPDATE_DOCS=1 ./dev test
 * tests/error_catalogue_docs_test.ts` rewrites them.
 */
import assert from "node:assert/strict";
import {
  codesOf,
  ERROR_CATALOGUE,
  type ErrorCode,
  type Kind,
} from "../supabase/functions/_shared/error-catalogue.ts";

const PAGE = "docs/errors.md";
const START = "<!-- catalogue:start (generated from error-catalogue.ts; do not edit by hand) -->";
const END = "<!-- catalogue:end -->";

interface Section {
  kind: Kind;
  heading: string;
  /** The second column: its header and its value for a code. */
  column?: [string, (code: ErrorCode) => string];
}

const entry = (code: ErrorCode): {
  status?: number;
  scope?: string;
  origin: string;
  title: string;
  meaning: string;
  action: string;
} => ERROR_CATALOGUE[code];

const SECTIONS: Section[] = [
  {
    kind: "client",
    heading: 'HTTP answers (`client`): the body is `{"error":"<code>"}`',
    column: ["Status", (code) => String(entry(code).status)],
  },
  {
    kind: "sync",
    heading: "An organization's sync failure (`sync`)",
    column: ["Written by", (code) => entry(code).origin === "sql" ? "SQL" : "the function"],
  },
  { kind: "bot", heading: "A bot run's error (`bot`)" },
  {
    kind: "alert",
    heading: "Watchdog checks (`alert`): `check_id` of alerts and of the doctor's findings",
    column: ["Scope", (code) => entry(code).scope ?? ""],
  },
  {
    kind: "doctor",
    heading: "The doctor's own findings (`doctor`); it shows the watchdog's checks too",
  },
  { kind: "reason", heading: "Why a request was refused, in the log only (`reason`)" },
  { kind: "refusal", heading: "Why the outbound policy refused a destination (`refusal`)" },
  { kind: "worker", heading: "How a sync queue worker ended, in the log only (`worker`)" },
  {
    kind: "platform",
    heading: 'The platform\'s answers (`platform`): the body is `{"code":"<CODE>",...}`',
    column: ["Status", (code) => String(entry(code).status)],
  },
];

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

function table(section: Section): string[] {
  const extra = section.column;
  const head = ["Code", ...(extra ? [extra[0]] : []), "Meaning", "What to do"];
  const rows = codesOf(section.kind).map((code) => {
    const e = entry(code);
    const cells = [
      `\`${code}\``,
      ...(extra ? [extra[1](code)] : []),
      `**${e.title}.** ${e.meaning}`,
      e.action,
    ];
    return `| ${cells.map(cell).join(" | ")} |`;
  });
  return [`| ${head.join(" | ")} |`, `|${" --- |".repeat(head.length)}`, ...rows];
}

/** The generated part of docs/errors.md. */
export function renderCatalogue(): string {
  const parts = SECTIONS.flatMap((s) => ["", `### ${s.heading}`, "", ...table(s)]);
  return [START, ...parts, "", END].join("\n");
}

function generatedPart(page: string): string | null {
  const from = page.indexOf(START);
  const to = page.indexOf(END);
  return from === -1 || to < from ? null : page.slice(from, to + END.length);
}

Deno.test("docs/errors.md's tables are the catalogue's", async () => {
  const page = await Deno.readTextFile(PAGE);
  const current = generatedPart(page);
  assert.ok(current !== null, `${PAGE} has no ${START} ... ${END} part`);
  const wanted = renderCatalogue();
  if (current !== wanted && Deno.env.get("UPDATE_DOCS") === "1") {
    await Deno.writeTextFile(PAGE, page.replace(current, wanted));
    return;
  }
  assert.equal(current, wanted, `${PAGE} differs from the catalogue: UPDATE_DOCS=1 rewrites it`);
});

Deno.test("every kind of code has a table on the page", () => {
  const kinds = new Set(Object.values(ERROR_CATALOGUE).flatMap((e) => [...e.kinds]));
  assert.deepEqual([...kinds].sort(), SECTIONS.map((s) => s.kind).sort());
  const rendered = renderCatalogue();
  for (const code of Object.keys(ERROR_CATALOGUE)) assert.ok(rendered.includes(`| \`${code}\` |`));
});
