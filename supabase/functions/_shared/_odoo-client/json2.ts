/**
 * Odoo's JSON-2 API (Odoo 19+): `POST /json/2/<model>/<method>` with the API
 * key as bearer token, the database in `X-Odoo-Database`, named arguments in
 * the body, the raw result on 200 and errors as 4xx/5xx JSON
 * `{name, message, arguments, context, debug}` (`addons/rpc/controllers/json2.py`,
 * `Json2RpcDispatcher.handle_error` in `odoo/http.py`).
 * Internal: use `createOdooClient` from `odoo-client.ts`.
 */
import {
  describeCall,
  OdooApiUnavailableError,
  OdooAuthError,
  type OdooCallInfo,
  OdooHttpError,
  OdooRpcError,
} from "./errors.ts";
import { type Answer, parseJson, post, type RpcSettings, serverText, withRetries } from "./rpc.ts";
import { isRetryableStatus } from "../outbound.ts";

/** Where JSON-2 goes: database and bearer key. */
export interface Json2Target {
  db: string;
  apiKey: string;
}

/**
 * Calls `model.method(**kwargs)` over JSON-2 with retries; returns the result.
 *
 * @example
 * const ids = await callJson2(settings, { db, apiKey }, "crm.lead", "search", { domain: [] });
 */
export function callJson2(
  s: RpcSettings,
  target: Json2Target,
  model: string,
  method: string,
  kwargs: Record<string, unknown>,
): Promise<unknown> {
  const info = { service: "json2", method, model };
  const headers = {
    Authorization: `bearer ${target.apiKey}`,
    "X-Odoo-Database": target.db,
  };
  const path = `/json/2/${encodeURIComponent(model)}/${encodeURIComponent(method)}`;
  const body = JSON.stringify(kwargs);
  return withRetries(s, info, async (attempt) => {
    const answer = await post(s, path, { body, headers, call: info, attempt });
    if (answer.status >= 200 && answer.status <= 299) {
      return parseJson(answer.text, info, attempt);
    }
    throw json2Error(answer, s, info, attempt);
  });
}

/** The error body, when the answer is one (JSON object with a string `name`). */
function errorBody(answer: Answer): Record<string, unknown> | null {
  if (!answer.contentType.includes("json")) return null;
  try {
    const body = JSON.parse(answer.text);
    return body && typeof body === "object" && typeof body.name === "string" ? body : null;
  } catch {
    return null;
  }
}

function json2Error(answer: Answer, s: RpcSettings, call: OdooCallInfo, attempt: number) {
  const body = errorBody(answer);
  const label = describeCall(call);
  if (body === null) {
    // No JSON-2 route here (Odoo 17/18, or a plan without the external API).
    if (answer.status === 404) {
      return new OdooApiUnavailableError(`Odoo ${label}: no JSON-2 API (HTTP 404)`, {
        attempts: attempt,
      });
    }
    return new OdooHttpError(answer.status, call, { attempts: attempt });
  }
  if (answer.status === 401) {
    return new OdooAuthError(`Odoo ${label} refused the API key (HTTP 401)`, {
      attempts: attempt,
    });
  }
  if (isRetryableStatus(answer.status) && answer.status !== 500) {
    return new OdooHttpError(answer.status, call, { attempts: attempt });
  }
  return new OdooRpcError({
    odooName: String(body.name),
    odooMessage: serverText(body.message, s),
    debug: serverText(body.debug, s),
    call,
    attempts: attempt,
  });
}
