/**
 * The docs a newcomer walks: every relative link in every tracked Markdown file
 * (`git ls-files '*.md'`) resolves to a tracked file or folder inside the
 * repository, and every `#anchor` matches a heading of its target, slugged as
 * GitHub does (github-slugger: lowercase, drop punctuation except `-` and `_`,
 * each space to `-`, repeats get `-1`, `-2`…). Links inside fenced code and code
 * spans are not links; http(s) and mailto links are skipped (no network).
 * Also checked, because they bit a newcomer: a table row GitHub renders as loose
 * text, and a command shown as a bare `deno …` (the pinned deno is not on the
 * PATH; the docs say `./dev test`, `./dev doctor`, `./dev bench`).
 */
import assert from "node:assert/strict";

type Problem = { line: number; link: string; reason: string };

type Block = { info: string; lines: [number, string][] };

/** Splits `md` into prose lines (fenced lines and fences become null) and fenced blocks. */
function scan(md: string): { prose: (string | null)[]; blocks: Block[] } {
  let fence: { char: string; len: number } | null = null;
  const blocks: Block[] = [];
  const prose = md.split("\n").map((line, i) => {
    const m = line.match(/^ {0,3}(`{3,}|~{3,})(.*)$/);
    if (fence) {
      if (m && m[1][0] === fence.char && m[1].length >= fence.len && !m[2].trim()) fence = null;
      else blocks.at(-1)!.lines.push([i + 1, line]);
      return null;
    }
    if (m && !(m[1][0] === "`" && m[2].includes("`"))) {
      fence = { char: m[1][0], len: m[1].length };
      blocks.push({ info: m[2].trim(), lines: [] });
      return null;
    }
    return line;
  });
  return { prose, blocks };
}

const proseLines = (md: string) => scan(md).prose;

const CODE_SPAN = /(?<!`)(`+)((?:(?!\n[ \t]*\n)[\s\S])*?[^`])\1(?!`)/g;

/** Replaces code spans with spaces of the same length (offsets and newlines kept). */
function blankCodeSpans(text: string): string {
  return text.replace(CODE_SPAN, (s) => s.replace(/[^\n]/g, " "));
}

/** Heading source to the text GitHub renders: code content kept, links to their text, markup gone. */
function headingText(src: string): string {
  const parts = src.split(/(`+[^`]*?`+)/);
  return parts.map((part, i) => {
    if (i % 2 === 1) return part.replace(/^`+ ?|(?: ?)`+$/g, "");
    return part
      .replace(/!?\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])/g, "$1")
      .replace(/<[^>]+>/g, "")
      .replace(/(^|[^\p{L}\p{N}_])(_+)(?=\S)(.*?\S)\2(?=[^\p{L}\p{N}_]|$)/gu, "$1$3")
      .replace(/\\(.)/g, "$1");
  }).join("");
}

/** GitHub's slug of one heading's source text (before de-duplication). */
function slugify(src: string): string {
  return headingText(src).trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor a Markdown document offers: heading slugs as github-slugger numbers them, HTML ids. */
function anchorsOf(md: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  const add = (src: string) => {
    const base = slugify(src);
    let slug = base;
    while (seen.has(slug)) {
      seen.set(base, seen.get(base)! + 1);
      slug = `${base}-${seen.get(base)}`;
    }
    seen.set(slug, 0);
    anchors.add(slug);
  };
  const lines = proseLines(md);
  lines.forEach((line, i) => {
    if (line === null) return;
    const atx = line.match(/^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/);
    if (atx) return add(atx[1] ?? "");
    const prev = lines[i - 1];
    if (
      i > 0 && /^ {0,3}(=+|-+)[ \t]*$/.test(line) && prev?.trim() &&
      !/^ {0,3}([#>|*+-]|\d+[.)])/.test(prev) && !/^ {0,3}(=+|-+)[ \t]*$/.test(prev)
    ) add(prev.trim());
    for (const m of line.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
  });
  return anchors;
}

const INLINE_LINK =
  /(\\?)!?\[((?:[^[\]]|\[[^[\]]*\])*)\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
const REF_DEF = /^ {0,3}\[([^\]]+)\]:[ \t]*(<[^>\n]*>|\S+)/gm;
const REF_USE = /(\\?)\[((?:[^[\]]|\[[^[\]]*\])*)\]\[([^\]]*)\]/g;

const norm = (label: string) => label.trim().replace(/\s+/g, " ").toLowerCase();

/** Link destinations of a Markdown document, with their line, outside code; undefined references as problems. */
function extractLinks(
  md: string,
): { links: { line: number; target: string }[]; problems: Problem[] } {
  const text = blankCodeSpans(proseLines(md).map((l) => l ?? "").join("\n"));
  const lineAt = (offset: number) => text.slice(0, offset).split("\n").length;
  const links: { line: number; target: string }[] = [];
  const problems: Problem[] = [];
  const defined = new Set<string>();
  for (const m of text.matchAll(REF_DEF)) {
    defined.add(norm(m[1]));
    links.push({ line: lineAt(m.index!), target: m[2].replace(/^<|>$/g, "") });
  }
  for (const m of text.matchAll(INLINE_LINK)) {
    if (!m[1]) links.push({ line: lineAt(m.index!), target: m[3].replace(/^<|>$/g, "") });
  }
  for (const m of text.matchAll(REF_USE)) {
    const label = norm(m[3] || m[2]);
    if (!m[1] && !defined.has(label)) {
      problems.push({ line: lineAt(m.index!), link: m[0], reason: "undefined reference" });
    }
  }
  return { links: links.sort((a, b) => a.line - b.line), problems };
}

/** Why `target`, linked from repository file `from`, does not resolve; null when it does. */
function checkTarget(
  from: string,
  target: string,
  tracked: Set<string>,
  read: (path: string) => string,
): string | null {
  const scheme = target.match(/^([a-z][a-z0-9+.-]*):/i)?.[1].toLowerCase();
  if (scheme) return ["http", "https", "mailto"].includes(scheme) ? null : "unsupported scheme";
  const hash = target.indexOf("#");
  let path = hash < 0 ? target : target.slice(0, hash);
  let anchor = hash < 0 ? null : target.slice(hash + 1);
  try {
    path = decodeURIComponent(path);
    anchor = anchor === null ? null : decodeURIComponent(anchor);
  } catch {
    return "malformed percent-encoding";
  }
  let resolved = from;
  if (path) {
    const parts = path.startsWith("/") ? [] : from.split("/").slice(0, -1);
    for (const seg of path.split("/")) {
      if (seg === "..") {
        if (!parts.length) return "leaves the repository";
        parts.pop();
      } else if (seg && seg !== ".") parts.push(seg);
    }
    resolved = parts.join("/");
  }
  const isFile = tracked.has(resolved);
  const isDir = !isFile &&
    [...tracked].some((f) => resolved === "" || f.startsWith(resolved + "/"));
  if (!isFile && !isDir) return `no such file in the repository: ${resolved}`;
  if (anchor === null) return null;
  if (!isFile) return "anchor on a folder";
  if (!resolved.endsWith(".md")) {
    return /^L\d+(-L\d+)?$/.test(anchor) ? null : "anchor on a non-Markdown file";
  }
  return anchorsOf(read(resolved)).has(anchor) ? null : `no heading "#${anchor}" in ${resolved}`;
}

const isDelimiterRow = (l: string) =>
  /^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(l) && l.includes("-");
const cells = (l: string) =>
  blankCodeSpans(l).trim().replace(/^\||\|$/g, "").split(/(?<!\\)\|/).length;

/** Table rows GitHub would not render as part of a table (loose rows, header/delimiter mismatch). */
function tableProblems(md: string): Problem[] {
  const lines = proseLines(md);
  const problems: Problem[] = [];
  let inTable = false;
  lines.forEach((line, i) => {
    if (line === null || !line.trim()) return void (inTable = false);
    const next = lines[i + 1];
    if (!inTable && line.includes("|") && next != null && isDelimiterRow(next)) {
      inTable = true;
      if (cells(line) !== cells(next)) {
        problems.push({
          line: i + 1,
          link: line.trim(),
          reason: "table header and delimiter differ in columns",
        });
      }
    } else if (!inTable && /^ {0,3}\|/.test(line)) {
      problems.push({
        line: i + 1,
        link: line.trim().slice(0, 60),
        reason: "table row outside a table",
      });
    }
  });
  return problems;
}

/** Commands shown as a bare `deno …`, which a user cannot paste (deno is not on the PATH). */
function bareDenoCommands(md: string): Problem[] {
  const problems: Problem[] = [];
  for (const block of scan(md).blocks) {
    if (!/^(sh|bash|shell|console|zsh)\b/.test(block.info)) continue;
    for (const [line, text] of block.lines) {
      if (/^\s*(\$\s+)?([A-Z_][A-Z0-9_]*=\S*\s+)*deno\s/.test(text)) {
        problems.push({ line, link: text.trim(), reason: "bare deno command" });
      }
    }
  }
  const prose = proseLines(md).map((l) => l ?? "").join("\n");
  for (const m of prose.matchAll(CODE_SPAN)) {
    if (/^\s*deno (task|run|test|bench|fmt|lint|check)\s+\S/.test(m[2])) {
      problems.push({
        line: prose.slice(0, m.index).split("\n").length,
        link: m[2],
        reason: "bare deno command",
      });
    }
  }
  return problems;
}

/** Every problem of one Markdown file. */
function checkFile(path: string, tracked: Set<string>, read: (p: string) => string): Problem[] {
  const md = read(path);
  const { links, problems } = extractLinks(md);
  for (const { line, target } of links) {
    const reason = checkTarget(path, target, tracked, read);
    if (reason) problems.push({ line, link: target, reason });
  }
  return [...problems, ...tableProblems(md), ...bareDenoCommands(md)].sort((a, b) =>
    a.line - b.line
  );
}

Deno.test("slugify follows GitHub's heading slugs", () => {
  const cases: [string, string][] = [
    ["The two commands", "the-two-commands"],
    ["Authentication: the shared auth guard", "authentication-the-shared-auth-guard"],
    ["Cron jobs (`..._cron_jobs.sql`)", "cron-jobs-_cron_jobssql"],
    [
      "Granting `integration_admin` and `organization_id`",
      "granting-integration_admin-and-organization_id",
    ],
    ["The local stack: `./dev run`", "the-local-stack-dev-run"],
    ["Odoo (`deno bench -A x.ts`)", "odoo-deno-bench--a-xts"],
    ["**Bold** _emph_ [a link](x.md)", "bold-emph-a-link"],
    ["snake_case_name", "snake_case_name"],
    ["Décision — ordre ≤ 2", "décision--ordre--2"],
    ["Don't panic!", "dont-panic"],
  ];
  for (const [heading, slug] of cases) assert.equal(slugify(heading), slug, heading);
});

Deno.test("anchorsOf numbers repeated headings and ignores fenced code", () => {
  const cases: [string, string[]][] = [
    ["# A\n## A\n### A\n", ["a", "a-1", "a-2"]],
    ["# a-1\n# a\n# a\n", ["a-1", "a", "a-2"]],
    ["# Doc ##\n```sh\n# not a heading\n```\nSetext\n======\nLine\n---\n", [
      "doc",
      "setext",
      "line",
    ]],
    ["Para\n\n---\n| a |\n| --- |\n", []],
    ['<a name="custom"></a>\n', ["custom"]],
  ];
  for (const [md, anchors] of cases) assert.deepEqual([...anchorsOf(md)], anchors, md);
});

Deno.test("extractLinks finds inline and reference links outside code", () => {
  const cases: [string, [number, string][], string[]][] = [
    ["see [a](docs/x.md#y) and [b](#z)", [[1, "docs/x.md#y"], [1, "#z"]], []],
    ["`[not](a.md)` and ``[no](b.md)``", [], []],
    ["```\n[no](a.md)\n```\n[yes](b.md)", [[4, "b.md"]], []],
    ["[t](<a b.md> \"title\") ![img](i.png 't')", [[1, "a b.md"], [1, "i.png"]], []],
    ["[text\nwrapped](w.md)", [[1, "w.md"]], []],
    ["\\[not](a.md)", [], []],
    ["[use][r] and [r][]\n\n[r]: ../x.md", [[3, "../x.md"]], []],
    ["[use][missing]", [], ["[use][missing]"]],
  ];
  for (const [md, links, undefinedRefs] of cases) {
    const got = extractLinks(md);
    assert.deepEqual(got.links.map((l) => [l.line, l.target]), links, md);
    assert.deepEqual(got.problems.map((p) => p.link), undefinedRefs, md);
  }
});

Deno.test("checkTarget resolves paths and anchors inside the repository only", () => {
  const files: Record<string, string> = {
    "README.md": "# Top\n## Intro\n",
    "docs/a.md": "# A page\n## `x_y` setting\n",
    "src/x.ts": "",
  };
  const tracked = new Set(Object.keys(files));
  const read = (p: string) => files[p];
  const cases: [string, string, string | null][] = [
    ["README.md", "docs/a.md#x_y-setting", null],
    ["README.md", "docs/a.md#a-page", null],
    ["README.md", "#intro", null],
    ["README.md", "docs/", null],
    ["README.md", "./src/x.ts#L10-L12", null],
    ["README.md", "https://example.com/#x", null],
    ["README.md", "mailto:a@example.com", null],
    ["docs/a.md", "../README.md#top", null],
    ["docs/a.md", "/README.md", null],
    ["README.md", "docs/a.md#nope", 'no heading "#nope" in docs/a.md'],
    ["README.md", "docs/a.md#A-page", 'no heading "#A-page" in docs/a.md'],
    ["README.md", "#missing", 'no heading "#missing" in README.md'],
    ["README.md", "../shared/seeds/", "leaves the repository"],
    ["docs/a.md", "../../x.md", "leaves the repository"],
    ["README.md", "docs/b.md", "no such file in the repository: docs/b.md"],
    ["README.md", "src/x.ts#foo", "anchor on a non-Markdown file"],
    ["README.md", "docs/#a", "anchor on a folder"],
    ["README.md", "ftp://example.com", "unsupported scheme"],
  ];
  for (const [from, target, want] of cases) {
    assert.equal(checkTarget(from, target, tracked, read), want, `${from} -> ${target}`);
  }
});

Deno.test("tableProblems finds rows GitHub renders as loose text", () => {
  const cases: [string, string[]][] = [
    ["| a | b |\n| --- | --- |\n| 1 | 2 |\n", []],
    ["| a | b |\n| --- | --- |\n| 1 | 2 |\n\n| 3 | 4 |\n", ["table row outside a table"]],
    ["| a | b |\n| --- | --- | --- |\n", ["table header and delimiter differ in columns"]],
    ["| `a|b` | c |\n| --- | --- |\n", []],
    ["```\n| not | a table |\n```\n", []],
  ];
  for (const [md, reasons] of cases) {
    assert.deepEqual(tableProblems(md).map((p) => p.reason), reasons, md);
  }
});

Deno.test("bareDenoCommands flags commands a user cannot paste", () => {
  const cases: [string, number[]][] = [
    ["```sh\n./dev doctor\ndeno task doctor\n```\n", [3]],
    ["```sh\nFOO=1 deno bench -A x.ts\n$ deno test a.ts\n```\n", [2, 3]],
    ["```sql\ndeno is not sql\n```\n", []],
    ["run `deno task doctor`, not `deno bench` alone", [1]],
    ["```sh\ntools/deno/node_modules/.bin/deno bench -A x.ts\n```\n", []],
  ];
  for (const [md, lines] of cases) {
    assert.deepEqual(bareDenoCommands(md).map((p) => p.line), lines, md);
  }
});

async function git(...args: string[]): Promise<string[]> {
  const root = new URL("..", import.meta.url).pathname;
  const out = await new Deno.Command("git", { args: ["-C", root, ...args], stderr: "inherit" })
    .output();
  assert.ok(out.success, `git ${args.join(" ")} failed`);
  return new TextDecoder().decode(out.stdout).split("\0").filter(Boolean);
}

Deno.test("every tracked Markdown file: links resolve, tables render, commands paste", async () => {
  const root = new URL("..", import.meta.url);
  const tracked = new Set(await git("ls-files", "-z"));
  const docs = await git("ls-files", "-z", "--", "*.md");
  assert.ok(docs.includes("README.md"), "README.md is tracked");
  const cache = new Map<string, string>();
  const read = (p: string) => {
    if (!cache.has(p)) cache.set(p, Deno.readTextFileSync(new URL(p, root)));
    return cache.get(p)!;
  };
  const problems = docs.flatMap((file) =>
    checkFile(file, tracked, read).map((p) => `${file}:${p.line}: ${p.link} (${p.reason})`)
  );
  assert.deepEqual(problems, [], `Markdown problems:\n${problems.join("\n")}`);
});
