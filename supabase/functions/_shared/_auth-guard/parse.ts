/**
 * What a body read by the guard says, and which organisations it names. The
 * guard and the handler share this one reading, so a handler can never find an
 * `org_id` the guard did not scope.
 */
import type { RequestBody } from "./types.ts";

/** The body as the handler will see it, and the `org_id` values it carries. */
export interface ParsedBody {
  body: RequestBody;
  /** Every non-empty `org_id`, or "invalid" when one is not a string. */
  orgIds: string[] | "invalid";
}

const EMPTY: RequestBody = Object.freeze({ kind: "empty" });
const OTHER: RequestBody = Object.freeze({ kind: "other" });

function jsonOrgIds(value: unknown): string[] | "invalid" {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
  const orgId = (value as Record<string, unknown>).org_id;
  if (orgId === undefined || orgId === null || orgId === "") return [];
  return typeof orgId === "string" ? [orgId] : "invalid";
}

function fieldOrgIds(fields: readonly (readonly [string, FormDataEntryValue])[]) {
  const values = fields.filter(([name]) => name === "org_id").map(([, value]) => value);
  if (values.some((v) => typeof v !== "string")) return "invalid" as const;
  return (values as string[]).filter((v) => v !== "");
}

function merge(a: string[] | "invalid", b: string[] | "invalid"): string[] | "invalid" {
  return a === "invalid" || b === "invalid" ? "invalid" : [...a, ...b];
}

// Two Content-Type headers arrive joined by ", "; any of them may be the one
// a handler's parser would have honoured, so each is tried.
function declares(contentType: string, type: string): boolean {
  return contentType.toLowerCase().includes(type);
}

async function multipartFields(bytes: Uint8Array<ArrayBuffer>, contentType: string) {
  const candidates = [contentType, ...contentType.split(",").map((part) => part.trim())];
  for (const candidate of candidates) {
    if (!declares(candidate, "multipart/form-data")) continue;
    try {
      const form = await new Response(bytes, { headers: { "content-type": candidate } })
        .formData();
      return [...form.entries()];
    } catch { /* not this boundary */ }
  }
  return null;
}

async function formFields(
  text: string,
  bytes: Uint8Array<ArrayBuffer>,
  contentType: string | null,
) {
  if (contentType === null) return null;
  if (declares(contentType, "application/x-www-form-urlencoded")) {
    return [...new URLSearchParams(text).entries()];
  }
  if (declares(contentType, "multipart/form-data")) {
    return await multipartFields(bytes, contentType);
  }
  return null;
}

function tryJson(text: string): { value: unknown } | null {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return null;
  }
}

/**
 * Reads `bytes` as JSON whatever the declared type (clients mislabel bodies),
 * and also as fields when the type is form-encoded or multipart. Never throws.
 */
export async function parseBody(
  bytes: Uint8Array<ArrayBuffer>,
  contentType: string | null,
): Promise<ParsedBody> {
  if (bytes.byteLength === 0) return { body: EMPTY, orgIds: [] };
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") return { body: EMPTY, orgIds: [] };
  const json = tryJson(text);
  const fields = await formFields(text, bytes, contentType);
  const fromFields = fields === null ? [] : fieldOrgIds(fields);
  if (json !== null) {
    const body: RequestBody = Object.freeze({ kind: "json", value: json.value });
    return { body, orgIds: merge(jsonOrgIds(json.value), fromFields) };
  }
  if (fields !== null) {
    return {
      body: Object.freeze({ kind: "form", fields: Object.freeze(fields) }),
      orgIds: fromFields,
    };
  }
  return { body: OTHER, orgIds: [] };
}
