/**
 * Error classes of the Odoo client. Internal: import them from `odoo-client.ts`.
 *
 * One base, {@linkcode OdooError}, sets `name` once (from the class) and
 * carries a stable `code`, as jose's `JOSEError` does; callers switch on
 * `code`, never on message text. No message built here may contain the API
 * key; callers pass server text through `redact` (`log.ts`) first.
 */
import { isRetryableStatus } from "../outbound.ts";
import type { OdooErrorCode } from "../error-catalogue.ts";

/** The closed set of codes an Odoo failure maps to: the catalogue's `odoo_*` sync codes. */
export type { OdooErrorCode };

/** Identifies one call in error messages and logs (never its arguments). */
export interface OdooCallInfo {
  service: string;
  method: string;
  model?: string;
}

/** Short label like `object.search_read(crm.lead)` or `common.authenticate`. */
export function describeCall(call: OdooCallInfo): string {
  return call.model
    ? `${call.service}.${call.method}(${call.model})`
    : `${call.service}.${call.method}`;
}

/** Options every Odoo error takes. */
export interface OdooErrorOptions {
  /** Number of HTTP attempts made (1 when nothing was retried). Default 1. */
  attempts?: number;
  /** Overrides the class's code (used by {@linkcode OdooHttpError}). */
  code?: OdooErrorCode;
}

/**
 * Base class of every error the Odoo client throws. `code` is the class's
 * static `code` unless given; `name` is the class name.
 *
 * @example
 * try { await odoo.searchRead("crm.lead", [], { fields: ["name"] }); }
 * catch (err) { if (err instanceof OdooError) console.error(err.code); }
 */
export class OdooError extends Error {
  /** The code of this class. */
  static readonly code: OdooErrorCode = "odoo_error";
  /** Stable code to switch on. */
  readonly code: OdooErrorCode;
  /** Number of HTTP attempts made before giving up (1 when nothing was retried). */
  readonly attempts: number;

  constructor(message: string, options: OdooErrorOptions = {}) {
    super(message);
    this.name = new.target.name;
    this.code = options.code ?? (new.target as typeof OdooError).code;
    this.attempts = options.attempts ?? 1;
  }
}

/**
 * The credentials were refused: `common.authenticate` answered `false`, Odoo
 * raised `odoo.exceptions.AccessDenied`, the session is invalid (code 100), or
 * JSON-2 answered 401. Never retried.
 */
export class OdooAuthError extends OdooError {
  static override readonly code: OdooErrorCode = "odoo_auth_failed";
}

/** Every attempt timed out (`timeoutMs` each). */
export class OdooTimeoutError extends OdooError {
  static override readonly code: OdooErrorCode = "odoo_timeout";
}

/** The connection failed or broke before a full answer arrived, on every attempt. */
export class OdooNetworkError extends OdooError {
  static override readonly code: OdooErrorCode = "odoo_unreachable";
}

/**
 * Neither external API answers: `/jsonrpc` is switched off (Odoo 19+ without
 * `rpc.use_deprecated_services`) and JSON-2 is not there (Odoo 17/18, or a plan
 * without the external API). Never retried; an operator must act.
 */
export class OdooApiUnavailableError extends OdooError {
  static override readonly code: OdooErrorCode = "odoo_api_unavailable";
}

/**
 * The outbound policy refused the destination (`base_url` is not https, names
 * an internal host, or resolves to a loopback, private, link-local, metadata
 * or other reserved address), or Odoo answered with a redirect, which is never
 * followed. Nothing was sent there. Never retried; an operator must fix the URL.
 */
export class OdooDestinationError extends OdooError {
  static override readonly code: OdooErrorCode = "odoo_destination_refused";
}

/**
 * An answer was larger than the limit (OUTBOUND_ODOO_MAX_BYTES); it was not
 * read further and the connection was dropped. Never retried.
 */
export class OdooAnswerTooLargeError extends OdooError {
  static override readonly code: OdooErrorCode = "odoo_answer_too_large";
}

/**
 * Odoo answered with a non-2xx HTTP status. 5xx and 429 were retried first and
 * have code `odoo_unreachable`; any other status `odoo_error`.
 */
export class OdooHttpError extends OdooError {
  /** The HTTP status of the last attempt. */
  readonly status: number;

  constructor(status: number, call: OdooCallInfo, options: OdooErrorOptions = {}) {
    super(`Odoo ${describeCall(call)} failed: HTTP ${status}`, {
      code: isRetryableStatus(status) ? "odoo_unreachable" : "odoo_error",
      ...options,
    });
    this.status = status;
  }
}

/** What Odoo said about an application error. */
export interface OdooFaultDetails {
  /** The Python exception, e.g. `builtins.ValueError` (JSON-RPC `data.name`, JSON-2 `name`). */
  odooName: string;
  /** The error text, with the API key redacted. */
  odooMessage: string;
  /** The server traceback, with the API key redacted. */
  debug: string;
  call: OdooCallInfo;
  attempts?: number;
}

/**
 * Odoo raised an application error (such as `odoo.exceptions.UserError` or
 * `builtins.ValueError`), as a JSON-RPC error envelope or a JSON-2 error body.
 * Never retried.
 *
 * @example
 * if (err instanceof OdooRpcError && err.odooName === "builtins.ValueError") console.error(err.odooMessage);
 */
export class OdooRpcError extends OdooError {
  readonly odooName: string;
  readonly odooMessage: string;
  readonly debug: string;

  constructor(d: OdooFaultDetails) {
    super(`Odoo ${describeCall(d.call)} failed: ${d.odooName}: ${d.odooMessage}`, {
      attempts: d.attempts,
    });
    this.odooName = d.odooName;
    this.odooMessage = d.odooMessage;
    this.debug = d.debug;
  }
}

/** True for the failures worth another attempt: timeouts, network errors, HTTP 5xx and 429. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof OdooTimeoutError || err instanceof OdooNetworkError) return true;
  return err instanceof OdooHttpError && isRetryableStatus(err.status);
}
