/**
 * `./dev try`: prints ready-to-paste curl requests against the running
 * `./dev run` (found through `.local/stack.json`, or LOCAL_STACK_STATE_DIR):
 * "sync now" as the demo organization's integration admin (200), as a member
 * (403), with the anon key (401) and with the service_role key (200). The
 * users' tokens are fresh ones from the stack's Supabase Auth (see
 * `./dev token`), valid for Auth's token lifetime.
 *
 * @module
 */
import { readProject } from "./token.ts";
import { localUserToken } from "../supabase/local/dev_tokens.ts";
import { type CurlLine, syncNowCurlLines } from "../supabase/local/stack.ts";

/**
 * The printed block: a title and the expected status above each command.
 *
 * @example
 * console.log(curlBlock(lines));
 */
export function curlBlock(lines: CurlLine[]): string {
  return lines.map((l) => `# ${l.title} (expect ${l.expectStatus})\n${l.command}`).join("\n\n");
}

if (import.meta.main) {
  try {
    const project = await readProject(Deno.env.get("LOCAL_STACK_STATE_DIR") ?? ".local");
    const orgId = project.demoOrgId;
    if (orgId === undefined) throw new Error("the running stack is older: restart ./dev run");
    const lines = syncNowCurlLines(project.functionsUrl, orgId, {
      admin: await localUserToken(project, { orgId, admin: true }),
      member: await localUserToken(project, { orgId, admin: false }),
      anonKey: project.anonKey,
      serviceKey: project.serviceRoleKey,
    });
    console.log(`${curlBlock(lines)}\n`);
  } catch (err) {
    console.error(`./dev try: ${err instanceof Error ? err.message : err}`);
    Deno.exit(1);
  }
}
