/**
 * The fake Odoo's HTTP side: one request in (`/jsonrpc`, `/json/2/...` from
 * Odoo 19, `/web/webclient/version_info`, `/web/session/authenticate`), the
 * call recorded, an injected failure applied, the answer out. Internal to `supabase/local/odoo.ts`,
 * which re-exports the public types.
 *
 * @module
 */
import { dispatch, envelope, type State, versionInfo } from "./dispatch.ts";
import { handleJson2, handleWeb, json2Error } from "./json2.ts";
import { OdooFault } from "./model.ts";

/**
 * An injected failure. `times` limits how many matching calls fail (default:
 * all until cleared). With `model`, only `execute_kw` calls on that model match.
 * `accessDenied` hits `object` and JSON-2 calls; `/web` routes are never hit; `slow` waits `delayMs` (default
 * 30000) before answering normally, unless the client goes away first.
 */
export interface OdooFailure {
  kind: "http500" | "slow" | "accessDenied" | "drop";
  times?: number;
  delayMs?: number;
  model?: string;
}

/**
 * One received call. For `execute_kw`, `method` is the ORM method and
 * `args`/`kwargs` its own; JSON-2 calls have `service: "json2"`, `/web` routes
 * `service: "web"`.
 */
export interface OdooCall {
  service: string;
  method: string;
  model?: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

const jsonResponse = (body: unknown) =>
  new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });

const INTERNAL_ERROR_HTML =
  "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n" +
  "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable " +
  "to complete your request. Either the server is overloaded or there is an error in the " +
  "application.</p>\n";

function describe(params: Record<string, unknown>): OdooCall {
  const args = Array.isArray(params.args) ? structuredClone(params.args) : [];
  const service = String(params.service);
  if (service === "object" && params.method === "execute_kw") {
    return {
      service,
      method: String(args[4]),
      model: String(args[3]),
      args: Array.isArray(args[5]) ? args[5] : [],
      kwargs: (args[6] && typeof args[6] === "object" ? args[6] : {}) as Record<string, unknown>,
    };
  }
  return { service, method: String(params.method), args, kwargs: {} };
}

function sleepUnless(ms: number, signals: AbortSignal[]): Promise<boolean> {
  const any = AbortSignal.any(signals);
  return new Promise((resolve) => {
    if (any.aborted) return resolve(false);
    const timer = setTimeout(() => {
      any.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    any.addEventListener("abort", onAbort, { once: true });
  });
}

async function failWith(
  service: string,
  f: OdooFailure,
  id: unknown,
  req: Request,
  closing: AbortSignal,
): Promise<Response | null> {
  if (f.kind === "http500") {
    return new Response(INTERNAL_ERROR_HTML, {
      status: 500,
      headers: { "Content-Type": "text/html; charset=utf-8" },
    });
  }
  if (f.kind === "accessDenied" && service === "json2") {
    return json2Error(new OdooFault("werkzeug.exceptions.Unauthorized", "Invalid apikey"));
  }
  if (f.kind === "accessDenied") {
    return jsonResponse(
      envelope(id, new OdooFault("odoo.exceptions.AccessDenied", "Access Denied")),
    );
  }
  if (f.kind === "drop") {
    // Promise 4 KiB, send a few bytes, stop: the client sees the connection break mid-answer.
    const partial = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"jsonrpc": "2.0", "id": '));
        c.close();
      },
    });
    return new Response(partial, {
      headers: { "Content-Type": "application/json", "Content-Length": "4096" },
    });
  }
  const completed = await sleepUnless(f.delayMs ?? 30_000, [req.signal, closing]);
  return completed ? null : new Response("client went away", { status: 499 });
}

/** The injected failure of one server and how many more calls it hits. */
export function failureSlot() {
  let failure: OdooFailure | null = null;
  let remaining = Infinity;
  return {
    set(f: OdooFailure | null) {
      failure = f;
      remaining = f?.times ?? Infinity;
    },
    take(call: OdooCall): OdooFailure | null {
      if (!failure || remaining <= 0) return null;
      if (failure.model !== undefined && call.model !== failure.model) return null;
      if (call.service === "web") return null;
      if (failure.kind === "accessDenied" && call.service === "common") return null;
      const f = failure;
      if (--remaining <= 0) failure = null;
      return f;
    },
  };
}

/** What {@linkcode handleRpc} works on: one server's state, call log and failure. */
export interface RpcContext {
  state: State;
  received: OdooCall[];
  failures: ReturnType<typeof failureSlot>;
  /** Aborted when the server closes (ends a `slow` failure early). */
  closing: AbortSignal;
}

const notFoundPage = () =>
  new Response("<h1>Not Found</h1>", { status: 404, headers: { "Content-Type": "text/html" } });

const WEB_ROUTES = new Set(["/web/webclient/version_info", "/web/session/authenticate"]);
const JSON2 = /^\/json\/2\/([^/]+)\/([^/]+)$/;

/** What one request asks for, or null for a path the server does not route. */
function route(state: State, path: string) {
  if (path === "/jsonrpc" || WEB_ROUTES.has(path)) return { path };
  const m = JSON2.exec(path);
  if (m && state.version >= 19) {
    return { path, model: decodeURIComponent(m[1]), method: decodeURIComponent(m[2]) };
  }
  return null;
}

function describeAny(
  path: string,
  r: { model?: string; method?: string },
  body: Record<string, unknown>,
) {
  if (r.model !== undefined) {
    const { domain: _d, ids: _i, ...kwargs } = body;
    return { service: "json2", method: r.method!, model: r.model, args: [body.domain], kwargs };
  }
  if (path !== "/jsonrpc") return { service: "web", method: path, args: [], kwargs: {} };
  return describe((body?.params ?? {}) as Record<string, unknown>);
}

function answer(
  ctx: RpcContext,
  path: string,
  r: { model?: string; method?: string },
  req: Request,
  body: Record<string, unknown>,
) {
  if (r.model !== undefined) {
    return handleJson2(ctx.state, req, { model: r.model, method: r.method! }, body);
  }
  const id = body?.id ?? null;
  const params = (body?.params ?? {}) as Record<string, unknown>;
  try {
    if (path !== "/jsonrpc") {
      const web = handleWeb(ctx.state, path, params);
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (web.setCookie) headers["Set-Cookie"] = web.setCookie;
      return new Response(JSON.stringify({ jsonrpc: "2.0", id, result: web.result }), { headers });
    }
    const args = Array.isArray(params.args) ? params.args : [];
    return jsonResponse({
      jsonrpc: "2.0",
      id,
      result: dispatch(ctx.state, params.service, params.method, args),
    });
  } catch (err) {
    if (err instanceof OdooFault) return jsonResponse(envelope(id, err));
    throw err;
  }
}

/** Handles one HTTP request to the fake Odoo. */
export async function handleRpc(req: Request, ctx: RpcContext): Promise<Response> {
  const path = new URL(req.url).pathname;
  // `/web/version` (type http, auth none, GET): exp_version() as plain JSON
  // (`addons/web/controllers/webclient.py`).
  if (path === "/web/version" && req.method === "GET") return Response.json(versionInfo(ctx.state));
  const r = route(ctx.state, path);
  if (r === null) return notFoundPage();
  if (req.method !== "POST") return new Response("Method Not Allowed", { status: 405 });
  let body: Record<string, unknown>;
  try {
    body = (await req.json()) ?? {};
  } catch {
    return new Response("<h1>Bad Request</h1>", {
      status: 400,
      headers: { "Content-Type": "text/html" },
    });
  }
  const call = describeAny(path, r, body);
  ctx.received.push(call);
  const f = ctx.failures.take(call);
  if (f) {
    const res = await failWith(call.service, f, body?.id ?? null, req, ctx.closing);
    if (res) return res;
  }
  return answer(ctx, path, r, req, body);
}
