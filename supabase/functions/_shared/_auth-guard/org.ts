/**
 * The organisation a request names: `org_id` in the query string and/or the
 * top-level `org_id` of a JSON body. The body is read from `req.clone()`, only
 * after the caller has been authenticated, so the handler can still read it.
 */

/** Bodies larger than this cannot be scoped and are refused (fail closed). */
export const MAX_SCOPED_BODY_BYTES = 1024 * 1024;

export type RequestOrgs =
  | { ok: true; orgIds: string[] }
  | { ok: false; reason: "body_too_large" | "invalid_org_id" };

/** Every non-empty `org_id` in the query string (duplicates kept out). Cheap when absent. */
export function queryOrgIds(req: Request): string[] {
  const url = req.url;
  if (!url.includes("org_id")) return [];
  const values = new URL(url).searchParams.getAll("org_id").filter((v) => v !== "");
  return [...new Set(values)];
}

/** The first `org_id` of the query string, for rejection logs before the body may be read. */
export function firstQueryOrgId(req: Request): string | null {
  return queryOrgIds(req)[0] ?? null;
}

// Handlers commonly call req.json() whatever the declared type (curl -d sends
// form-urlencoded, some clients send text/plain), so these are all inspected.
function mayCarryJson(contentType: string | null): boolean {
  if (contentType === null) return true;
  const type = contentType.split(";")[0].trim().toLowerCase();
  return type === "" || type === "application/json" || type.endsWith("+json") ||
    type === "text/plain" || type === "application/x-www-form-urlencoded";
}

async function readBounded(req: Request, limit: number): Promise<string | null> {
  const body = req.clone().body;
  if (body === null) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function orgIdOf(text: string): string[] | "invalid" {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return []; // not JSON: names no org; the handler cannot read one from it either
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return [];
  const value = (parsed as Record<string, unknown>).org_id;
  if (value === undefined || value === null || value === "") return [];
  return typeof value === "string" ? [value] : "invalid";
}

async function bodyOrgIds(req: Request): Promise<string[] | "too_large" | "invalid"> {
  if (req.body === null || req.bodyUsed) return [];
  if (!mayCarryJson(req.headers.get("content-type"))) return [];
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_SCOPED_BODY_BYTES) return "too_large";
  const text = await readBounded(req, MAX_SCOPED_BODY_BYTES);
  if (text === null) return "too_large";
  return orgIdOf(text);
}

/** The distinct org ids the request names (query, then body). Call only after authentication. */
export async function requestOrgIds(req: Request): Promise<RequestOrgs> {
  const fromBody = await bodyOrgIds(req);
  if (fromBody === "too_large") return { ok: false, reason: "body_too_large" };
  if (fromBody === "invalid") return { ok: false, reason: "invalid_org_id" };
  return { ok: true, orgIds: [...new Set([...queryOrgIds(req), ...fromBody])] };
}
