/**
 * Serves the admin's "sync now" page (`admin/` at the repository root) at
 * `/admin/` on the local stack. The page's script is bundled from source with
 * `deno bundle` (supabase-js from the npm registry, pinned in deno.json /
 * deno.lock; nothing from a CDN) on the first request, kept in memory, and
 * rebuilt when a source file changes. `/admin/config.json` tells the page the
 * project URL and the anon key (public by design; no service key ever reaches
 * the browser). The project URL is the other loopback name of the one the
 * page was opened with (127.0.0.1 ↔ localhost), so the page and the API are
 * different origins, as an app and its Supabase project are, and the browser
 * sends real CORS preflights. Local use only.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { Mount } from "./gateway.ts";

/** Where the page is mounted. */
export const ADMIN_PREFIX = "/admin";
const SOURCE_DIR = fileURLToPath(new URL("../../admin/", import.meta.url));
const STATIC: Record<string, [string, string]> = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/index.html": ["index.html", "text/html; charset=utf-8"],
  "/styles.css": ["styles.css", "text/css; charset=utf-8"],
  "/favicon.svg": ["favicon.svg", "image/svg+xml"],
};

/** Options for {@linkcode adminPageMount}. */
export interface AdminPageOptions {
  /** The anon (or publishable) key the page gives supabase-js. */
  anonKey: string;
  /** The page's source folder. Default: `<repo>/admin/`. */
  sourceDir?: string;
}

async function newestChange(dir: string): Promise<number> {
  let newest = 0;
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    const t = entry.isDirectory ? await newestChange(path) : (await Deno.stat(path)).mtime;
    newest = Math.max(newest, typeof t === "number" ? t : t?.getTime() ?? 0);
  }
  return newest;
}

/**
 * Bundles `<sourceDir>/app.ts` for the browser with `deno bundle`.
 *
 * @returns the bundled JavaScript.
 * @throws when `deno bundle` fails (its output is in the message).
 * @example
 * const js = await bundleAdminPage();
 */
export async function bundleAdminPage(sourceDir: string = SOURCE_DIR): Promise<string> {
  const out = await Deno.makeTempFile({ prefix: "admin-page-", suffix: ".js" });
  try {
    const args = ["bundle", "--platform", "browser", "--minify", "-o", out, `${sourceDir}/app.ts`];
    const run = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" })
      .output();
    if (!run.success) {
      throw new Error(`deno bundle failed: ${new TextDecoder().decode(run.stderr).slice(-2000)}`);
    }
    return await Deno.readTextFile(out);
  } finally {
    await Deno.remove(out).catch(() => {});
  }
}

/**
 * The gateway mount for the page: `/admin/` (index.html), `/admin/app.js`
 * (bundled on first need), `/admin/styles.css`, `/admin/favicon.svg` and
 * `/admin/config.json`.
 *
 * @param options the anon key and the source folder.
 * @returns a {@linkcode Mount} for `serveFunctions({ mounts })`.
 * @example
 * const gw = await serveFunctions({ env, mounts: [adminPageMount({ anonKey })] });
 */
export function adminPageMount(options: AdminPageOptions): Mount {
  const dir = (options.sourceDir ?? SOURCE_DIR).replace(/\/+$/, "");
  let built: { at: number; js: Promise<string> } | null = null;
  const script = async () => {
    const changed = await newestChange(dir);
    if (built === null || changed > built.at) built = { at: changed, js: bundleAdminPage(dir) };
    return await built.js.catch((err) => {
      built = null;
      throw err;
    });
  };
  const noStore = (type: string) => ({ "Content-Type": type, "Cache-Control": "no-store" });
  return {
    prefix: ADMIN_PREFIX,
    async handle(req) {
      const url = new URL(req.url);
      const rest = url.pathname.slice(ADMIN_PREFIX.length);
      if (rest === "") return Response.redirect(`${url.origin}${ADMIN_PREFIX}/`, 301);
      if (rest === "/config.json") {
        const host = url.hostname === "localhost" ? "127.0.0.1" : "localhost";
        const supabaseUrl = `${url.protocol}//${host}:${url.port}`;
        return Response.json({ supabaseUrl, anonKey: options.anonKey }, {
          headers: { "Cache-Control": "no-store" },
        });
      }
      if (rest === "/app.js") {
        return new Response(await script(), { headers: noStore("text/javascript; charset=utf-8") });
      }
      const file = STATIC[rest];
      if (file === undefined) return new Response("Not Found", { status: 404 });
      const body = await Deno.readFile(`${dir}/${file[0]}`);
      return new Response(body, { headers: noStore(file[1]) });
    },
  };
}
