/**
 * Error classes of the Odoo client. Internal: import them from `odoo-client.ts`.
 *
 * No message built here may contain the API key; callers pass server text
 * through `redact` (`log.ts`) first.
 */

/** Identifies one JSON-RPC call in error messages and logs (never its arguments). */
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

/**
 * Base class of every error the Odoo client throws.
 *
 * @example
 * try { await odoo.searchRead("crm.lead", [], { fields: ["name"] }); }
 * catch (err) { if (err instanceof OdooError) console.error(err.message); }
 */
export class OdooError extends Error {
  /** Number of HTTP attempts made before giving up (1 when nothing was retried). */
  readonly attempts: number;

  constructor(message: string, options: ErrorOptions & { attempts?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "OdooError";
    this.attempts = options.attempts ?? 1;
  }
}

/**
 * The credentials were refused: `common.authenticate` answered `false`, Odoo
 * raised `odoo.exceptions.AccessDenied`, or the session is invalid (code 100).
 * Never retried.
 *
 * @example
 * if (err instanceof OdooAuthError) markIntegrationBroken();
 */
export class OdooAuthError extends OdooError {
  constructor(message: string, options: ErrorOptions & { attempts?: number } = {}) {
    super(message, options);
    this.name = "OdooAuthError";
  }
}

/**
 * Odoo answered with a JSON-RPC error envelope (an application error such as
 * `odoo.exceptions.UserError` or `builtins.ValueError`). `name` is the
 * envelope's `data.name`. Never retried.
 *
 * @example
 * if (err instanceof OdooRpcError && err.name === "builtins.ValueError") console.error(err.odooMessage);
 */
export class OdooRpcError extends OdooError {
  /** JSON-RPC `error.code` (200 for "Odoo Server Error"). */
  readonly code: number;
  /** `error.data.message`, with the API key redacted. */
  readonly odooMessage: string;
  /** `error.data.debug` (the server traceback), with the API key redacted. */
  readonly debug: string;

  constructor(
    name: string,
    details: {
      code: number;
      odooMessage: string;
      debug: string;
      call: OdooCallInfo;
      attempts?: number;
    },
  ) {
    super(`Odoo ${describeCall(details.call)} failed: ${name}: ${details.odooMessage}`, {
      attempts: details.attempts,
    });
    this.name = name;
    this.code = details.code;
    this.odooMessage = details.odooMessage;
    this.debug = details.debug;
  }
}

/**
 * Every attempt timed out (`timeoutMs` each).
 *
 * @example
 * if (err instanceof OdooTimeoutError) console.error(`gave up after ${err.attempts} attempts`);
 */
export class OdooTimeoutError extends OdooError {
  constructor(message: string, options: ErrorOptions & { attempts?: number } = {}) {
    super(message, options);
    this.name = "OdooTimeoutError";
  }
}

/**
 * Odoo answered with a non-2xx HTTP status. 5xx and 429 were retried first.
 *
 * @example
 * if (err instanceof OdooHttpError && err.status === 404) console.error("wrong base URL");
 */
export class OdooHttpError extends OdooError {
  /** The HTTP status of the last attempt. */
  readonly status: number;

  constructor(status: number, call: OdooCallInfo, options: { attempts?: number } = {}) {
    super(`Odoo ${describeCall(call)} failed: HTTP ${status}`, options);
    this.name = "OdooHttpError";
    this.status = status;
  }
}

/**
 * The connection failed or broke before a full answer arrived, on every attempt.
 *
 * @example
 * if (err instanceof OdooNetworkError) console.error("Odoo unreachable");
 */
export class OdooNetworkError extends OdooError {
  constructor(message: string, options: ErrorOptions & { attempts?: number } = {}) {
    super(message, options);
    this.name = "OdooNetworkError";
  }
}

/** True for the failures worth another attempt: timeouts, network errors, HTTP 5xx and 429. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof OdooTimeoutError || err instanceof OdooNetworkError) return true;
  return err instanceof OdooHttpError && (err.status >= 500 || err.status === 429);
}
