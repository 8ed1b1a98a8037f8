/**
 * The fake Odoo's JSON-2 API and the `/web` JSON routes a third-party client
 * needs. Internal to `supabase/local/odoo.ts`.
 *
 * JSON-2 (Odoo 19+, `addons/rpc/controllers/json2.py`): `POST
 * /json/2/<model>/<method>`, `Authorization: bearer <api key>`, optional
 * `X-Odoo-Database`, named arguments in a JSON body (`ids`, `context`, the
 * rest to the method), 200 with the raw result; errors (`odoo/http.py`,
 * `Json2RpcDispatcher.handle_error`) as JSON `{name, message, arguments,
 * context, debug}`: 401 for a bad key, 404 for an unknown model or method, 422
 * for bad arguments or a UserError, 500 otherwise.
 *
 * @module
 */
import { checkDb, userByKey, versionInfo } from "./dispatch.ts";
import { FIELDS, OdooFault } from "./model.ts";
import { callModel, type State } from "./orm.ts";

const STATUS: Record<string, number> = {
  "werkzeug.exceptions.Unauthorized": 401,
  "werkzeug.exceptions.NotFound": 404,
  "builtins.TypeError": 422,
  "odoo.exceptions.UserError": 422,
  "odoo.exceptions.AccessError": 403,
};

/** A JSON-2 error answer. */
export function json2Error(fault: OdooFault): Response {
  const body = {
    name: fault.odooName,
    message: fault.message,
    arguments: [fault.message],
    context: {},
    debug: `Traceback (most recent call last):\n${fault.odooName}: ${fault.message}\n`,
  };
  return Response.json(body, { status: STATUS[fault.odooName] ?? 500 });
}

/** The JSON-2 user of a request, or a fault. */
function json2User(state: State, req: Request) {
  const m = /^bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "");
  const user = m ? state.users.find((u) => u.apiKey === m[1].trim()) : undefined;
  if (!user) throw new OdooFault("werkzeug.exceptions.Unauthorized", "Invalid apikey");
  const db = req.headers.get("x-odoo-database");
  if (db !== null && db !== state.db) {
    throw new OdooFault("werkzeug.exceptions.NotFound", `database ${db} not found`);
  }
  return user;
}

/** Answers `POST /json/2/<model>/<method>` with `body` already parsed. */
export function handleJson2(
  state: State,
  req: Request,
  path: { model: string; method: string },
  body: Record<string, unknown>,
): Response {
  try {
    json2User(state, req);
    if (!(path.model in FIELDS)) {
      throw new OdooFault(
        "werkzeug.exceptions.NotFound",
        `the model '${path.model}' does not exist`,
      );
    }
    const { ids: _ids, ...kwargs } = body;
    try {
      return Response.json(callModel(state, path.model, path.method, [], kwargs));
    } catch (err) {
      if (err instanceof OdooFault && err.odooName === "builtins.AttributeError") {
        throw new OdooFault("werkzeug.exceptions.NotFound", err.message);
      }
      throw err;
    }
  } catch (err) {
    if (err instanceof OdooFault) return json2Error(err);
    throw err;
  }
}

/**
 * `/web/webclient/version_info` and `/web/session/authenticate` (JSON-RPC
 * routes of `addons/web/controllers/`): returns the result, or throws a fault.
 * A session id is returned in `setCookie`.
 */
export function handleWeb(
  state: State,
  path: string,
  params: Record<string, unknown>,
): { result: unknown; setCookie?: string } {
  if (path === "/web/webclient/version_info") return { result: versionInfo(state) };
  checkDb(state, params.db);
  const user = userByKey(state, params.login, params.password);
  // odoo/http.py Session.authenticate raises AccessDenied for a wrong password.
  if (!user) throw new OdooFault("odoo.exceptions.AccessDenied", "Access Denied");
  const sid = crypto.randomUUID().replaceAll("-", "");
  state.sessions.set(sid, user.uid);
  const result = {
    uid: user.uid,
    db: state.db,
    username: user.login,
    user_context: { lang: "en_US", tz: "UTC", uid: user.uid },
    server_version: versionInfo(state).server_version,
    server_version_info: versionInfo(state).server_version_info,
  };
  return { result, setCookie: `session_id=${sid}; HttpOnly; Path=/` };
}
