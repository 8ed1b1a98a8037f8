/**
 * What the Supabase platform answers for a function instead of the function
 * (supabase.com/docs/guides/functions/status-codes and the "546 -
 * WORKER_LIMIT" troubleshooting page): `{"code":"<CODE>","message":...}`, the
 * code in upper case as the platform writes it. The local stack's runtime and
 * gateway (supabase/local/_runtime/limits.ts, _gateway/header_limit.ts) answer
 * the same. Internal: read them through `error-catalogue.ts`.
 */
import type { CatalogueEntry } from "./entry.ts";

const platform = { kinds: ["platform"], origin: "platform" } as const;

/** Every platform answer a caller of a function can get. */
export const PLATFORM_CODES = {
  BOOT_ERROR: {
    ...platform,
    status: 503,
    title: "Function failed to start",
    meaning: "The function's module did not load (a syntax or import error, or it threw at " +
      "start-up); locally also one that did not listen within `bootTimeoutMs`. Every call " +
      "gets this until it is deployed (locally: saved) again.",
    action: "Read the function's boot error in its log (locally `function_boot_failed`), fix " +
      "the code and deploy again.",
  },
  WORKER_ERROR: {
    ...platform,
    status: 500,
    title: "Function crashed",
    meaning: "The function's isolate ended while answering: an exception outside the guard " +
      "(a handler behind `withAuth` answers `internal_error` instead) or the process exited.",
    action: "Read the function's log for the error and handle it in the code.",
  },
  WORKER_LIMIT: {
    ...platform,
    status: 546,
    title: "Function hit a resource limit",
    meaning: "The isolate was stopped for memory (256 MB), CPU time (2 s per request) or its " +
      "wall clock (newer platform versions say `WORKER_RESOURCE_LIMIT`). A sync's committed " +
      "pages stay; when its lease ends the next worker claims the organization and the " +
      "old run becomes `run_lost`.",
    action: "Try again; if it repeats, lower the work per call (the sync's time budget, fewer " +
      "organizations per call) and read the function's log.",
  },
  GATEWAY_TIMEOUT: {
    ...platform,
    status: 504,
    title: "Function did not answer in time",
    meaning: "No response within the request idle timeout (150 s).",
    action: "Answer sooner: move long work to `EdgeRuntime.waitUntil` or split it over calls.",
  },
  NOT_FOUND: {
    ...platform,
    status: 404,
    title: "No such function",
    meaning: "No function of that name is deployed (locally: no `supabase/functions/<name>/" +
      "index.ts`).",
    action: "Check the function's name in the URL, and that it is deployed.",
  },
  REQUEST_HEADER_FIELDS_TOO_LARGE: {
    ...platform,
    status: 431,
    title: "Request headers too large",
    meaning: "The request's header fields are over the gateway's limit; the function never " +
      "saw it.",
    action: "Send smaller headers (an oversized cookie or token).",
  },
} as const satisfies Record<string, CatalogueEntry>;
