/**
 * tools/third_party.sh: where a pinned source comes from and when it is refused.
 * Runs the script on a throwaway pin list, vendor folder, cache and local git
 * repository (a file:// "upstream"), so nothing here touches the network or
 * the real cache.
 */
import assert from "node:assert/strict";

const script = new URL("../tools/third_party.sh", import.meta.url).pathname;

async function run(cmd: string, args: string[], opts: Deno.CommandOptions = {}) {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", ...opts })
    .output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function git(dir: string, ...args: string[]) {
  const r = await run("git", [
    "-C",
    dir,
    "-c",
    "user.email=t@example.test",
    "-c",
    "user.name=t",
    ...args,
  ]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** An upstream repo with tag v1.0.0, its release archive, and the commit and archive sum. */
async function fixture(root: string) {
  const upstream = `${root}/upstream`;
  await Deno.mkdir(upstream);
  await git(upstream, "init", "-q");
  await Deno.writeTextFile(`${upstream}/hello.txt`, "pinned\n");
  await git(upstream, "add", ".");
  await git(upstream, "commit", "-q", "-m", "release");
  await git(upstream, "tag", "v1.0.0");
  const commit = await git(upstream, "rev-parse", "HEAD");
  const vendor = `${root}/vendor`;
  await Deno.mkdir(vendor);
  const archive = `${vendor}/demo-1.0.0.tar.gz`;
  await git(
    upstream,
    "archive",
    "--format=tar.gz",
    "--prefix=demo-1.0.0/",
    "-o",
    archive,
    "v1.0.0",
  );
  return { upstream, commit, vendor, archive, sum: await sha256(archive) };
}

interface Case {
  name: string;
  /** Changes to the pin or the folders before the run. */
  arrange(
    f: Awaited<ReturnType<typeof fixture>>,
  ): { commit?: string; sum?: string; vendor?: string; repo?: string };
  ok: boolean;
  /** What stderr (failure) or the source marker (success) must say. */
  says: RegExp;
}

const cases: Case[] = [
  {
    name: "archive in the vendor folder with the pinned sum",
    arrange: () => ({}),
    ok: true,
    says: /^archive demo-1\.0\.0\.tar\.gz/,
  },
  {
    name: "archive with another sum is a hard error, even though a clone would work",
    arrange: () => ({ sum: "0".repeat(64) }),
    ok: false,
    says: /has SHA-256 [0-9a-f]{64} but tools\/third_party\.tsv pins 0{64}.*not using it/,
  },
  {
    name: "no archive: clone at the tag with the pinned commit",
    arrange: (f) => ({ vendor: `${f.vendor}-none` }),
    ok: true,
    says: /^clone file:.* v1\.0\.0 commit /,
  },
  {
    name: "no archive: a clone at another commit is a hard error",
    arrange: (f) => ({ vendor: `${f.vendor}-none`, commit: "1".repeat(40) }),
    ok: false,
    says: /is commit [0-9a-f]{40} but tools\/third_party\.tsv pins 1{40}.*not using it/,
  },
  {
    name: "neither way works: one line naming both",
    arrange: (f) => ({ vendor: `${f.vendor}-none`, repo: `file://${f.upstream}-gone` }),
    ok: false,
    says:
      /error: cannot get demo 1\.0\.0: put demo-1\.0\.0\.tar\.gz \(sha256 [0-9a-f]{64}\) in the folder named by EDGE_GUARD_VENDOR_DIR .* or let "git clone --branch v1\.0\.0 file:.*-gone" reach GitHub/,
  },
];

for (const c of cases) {
  Deno.test(`third_party.sh source: ${c.name}`, async () => {
    const root = await Deno.makeTempDir({ prefix: "edge-guard-tp-" });
    try {
      const f = await fixture(root);
      const a = c.arrange(f);
      const pins = `${root}/pins.tsv`;
      const repo = a.repo ?? `file://${f.upstream}`;
      await Deno.writeTextFile(
        pins,
        `#name\tversion\trepository\ttag\tcommit\tarchive\tsha256\tbuild\n` +
          `demo\t1.0.0\t${repo}\tv1.0.0\t${a.commit ?? f.commit}\tdemo-1.0.0.tar.gz\t${
            a.sum ?? f.sum
          }\t.\n`,
      );
      const env = {
        EDGE_GUARD_THIRD_PARTY_PINS: pins,
        EDGE_GUARD_CACHE_DIR: `${root}/cache`,
        EDGE_GUARD_VENDOR_DIR: a.vendor ?? f.vendor,
      };
      const r = await run("bash", [script, "source", "demo"], { env });
      if (!c.ok) {
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, c.says);
        assert.equal(r.stdout, "", "nothing is handed out");
        return;
      }
      assert.equal(r.code, 0, r.stderr);
      const dir = r.stdout.trim();
      assert.equal(await Deno.readTextFile(`${dir}/hello.txt`), "pinned\n");
      assert.match(await Deno.readTextFile(`${dir}/.edge-guard-source`), c.says);
      // Cached: a second run with neither way available hands out the same folder.
      const again = await run("bash", [script, "source", "demo"], {
        env: { ...env, EDGE_GUARD_VENDOR_DIR: `${root}/nowhere` },
      });
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout.trim(), dir);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}

Deno.test("third_party.tsv pins every part with a commit and a sha256", async () => {
  const text = await Deno.readTextFile(new URL("../tools/third_party.tsv", import.meta.url));
  const rows = text.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split("\t"));
  assert.deepEqual(rows.map((r) => r[0]), [
    "supabase-auth",
    "pg_net",
    "supabase_vault",
    "supautils",
    "pgmq",
  ]);
  for (const r of rows) {
    assert.equal(r.length, 8, r[0]);
    assert.match(r[4], /^[0-9a-f]{40}$/, `${r[0]} commit`);
    assert.match(r[6], /^[0-9a-f]{64}$/, `${r[0]} sha256`);
    assert.equal(r[5], `${r[0]}-${r[1]}.tar.gz`, `${r[0]} archive name`);
  }
});
