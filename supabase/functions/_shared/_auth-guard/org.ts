/**
 * The organisations a request names: every `org_id` of the query string
 * (decoded as `URLSearchParams` decodes it, so `org%5Fid` counts), the JSON
 * body's top-level `org_id`, and form or multipart `org_id` fields. The body is
 * read once, bounded, only after the caller has been authenticated.
 */
import { DEFAULT_BODY_TIMEOUT_MS, MAX_BODY_BYTES, readBody, type UnreadReason } from "./body.ts";
import { parseBody } from "./parse.ts";
import { keepReadable, markNotKept } from "./replay.ts";
import type { RequestBody, VerifyOptions } from "./types.ts";

const NO_BODY: RequestBody = Object.freeze({ kind: "empty" });

export type { UnreadReason };

/** The request as read by the guard. */
export type RequestRead =
  | { ok: true; body: RequestBody; orgIds: string[] }
  | { ok: false; reason: "invalid_org_id" }
  | { ok: false; reason: UnreadReason };

/** Every non-empty `org_id` in the query string, without duplicates. */
export function queryOrgIds(req: Request): string[] {
  const url = req.url;
  if (!url.includes("?")) return [];
  try {
    const values = new URL(url).searchParams.getAll("org_id").filter((v) => v !== "");
    return [...new Set(values)];
  } catch {
    return [];
  }
}

/** The first `org_id` of the query string, for rejection logs before the body may be read. */
export function firstQueryOrgId(req: Request): string | null {
  return queryOrgIds(req)[0] ?? null;
}

/**
 * Reads the body once (bounded by options) and collects every org id; the
 * request stays readable afterwards (`replay.ts`). Call only after
 * authentication. Never throws.
 */
export async function readRequest(req: Request, options: VerifyOptions): Promise<RequestRead> {
  if (req.body === null && !req.bodyUsed) {
    return { ok: true, body: NO_BODY, orgIds: queryOrgIds(req) };
  }
  const read = await readBody(req, {
    limitBytes: options.maxBodyBytes ?? MAX_BODY_BYTES,
    timeoutMs: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
  });
  if (!read.ok) {
    markNotKept(req, read.reason);
    return read;
  }
  keepReadable(req, read.bytes);
  const parsed = await parseBody(read.bytes, req.headers.get("content-type"));
  if (parsed.orgIds === "invalid") return { ok: false, reason: "invalid_org_id" };
  const orgIds = [...new Set([...queryOrgIds(req), ...parsed.orgIds])];
  return { ok: true, body: parsed.body, orgIds };
}
