/**
 * The hosted limits of an edge function and the platform's answers when one
 * is hit. Imported only by `runtime.ts`.
 *
 * Source: supabase.com/docs/guides/functions/limits (memory 256 MB, wall clock
 * 150 s Free / 400 s paid, CPU 2 s per request, request idle timeout 150 s ->
 * 504), .../functions/status-codes (503 BOOT_ERROR, 500 WORKER_ERROR, 504, 546)
 * and the troubleshooting page "546 - WORKER_LIMIT Exceeded" for the 546 body
 * (newer platform versions name the code WORKER_RESOURCE_LIMIT).
 *
 * @module
 */
import { clientStatus, type PlatformErrorCode } from "../../functions/_shared/error-catalogue.ts";

/** Limits of one isolate; every field is a setting with the hosted default. */
export interface RuntimeLimits {
  /** No response within this long -> 504. Default 150000 (hosted request idle timeout). */
  requestIdleTimeoutMs: number;
  /** An isolate is stopped this long after it started. Default 400000 (paid plans; Free: 150000). */
  wallClockMs: number;
  /** V8 heap of an isolate, MB (`--max-old-space-size`); over it -> 546. Default 256. */
  memoryMb: number;
  /** CPU time of the isolate while one request runs; over it -> 546. Default 2000. */
  cpuTimeMs: number;
  /** An isolate that does not listen within this long is a boot error. Default 20000. */
  bootTimeoutMs: number;
}

/** The hosted defaults. */
export const HOSTED_LIMITS: Readonly<RuntimeLimits> = Object.freeze({
  requestIdleTimeoutMs: 150_000,
  wallClockMs: 400_000,
  memoryMb: 256,
  cpuTimeMs: 2_000,
  bootTimeoutMs: 20_000,
});

/** Why an isolate was stopped while a request ran. */
export type LimitReason = "memory" | "cpu_time" | "wall_clock";

/** The platform's log message for each reason. */
export const LIMIT_MESSAGES: Readonly<Record<LimitReason, string>> = Object.freeze({
  memory: "Memory limit exceeded",
  cpu_time: "CPU Time exceeded",
  wall_clock: "Wall clock limit reached",
});

// The code and its status are the error catalogue's (kind `platform`).
const body = (code: PlatformErrorCode, message: string) =>
  Response.json({ code, message }, { status: clientStatus(code) });

/** 503: the function failed to start. */
export const bootError = () => body("BOOT_ERROR", "Function failed to start (please check logs)");

/** 500: the isolate ended while answering, for no limit. */
export const workerError = () =>
  body("WORKER_ERROR", "Function exited due to an error (please check logs)");

/** 546: stopped for a resource limit. */
export const workerLimit = () =>
  body(
    "WORKER_LIMIT",
    "Function failed due to not having enough compute resources (please check logs)",
  );

/** 504: no response within the request idle timeout. */
export const gatewayTimeout = () =>
  body("GATEWAY_TIMEOUT", "Function did not respond before the request idle timeout");

/** 404: no such function. */
export const notFound = () => body("NOT_FOUND", "Requested function was not found");
