/// <reference lib="dom" />
/**
 * Trace propagation for supabase-js (`tracePropagation: { enabled: true }`):
 * supabase-js asks OpenTelemetry's global propagator for W3C headers on every
 * request to the project. A page without a tracing SDK has no propagator, so
 * this registers a minimal W3C one: each request carries
 * `traceparent: 00-<page trace id>-<new span id>-01`, so a page load's calls
 * share one trace id in the gateway and function logs. An app with a real
 * tracing SDK drops this file.
 */
import "@supabase/supabase-js/tracing";
import { propagation, type TextMapPropagator } from "@opentelemetry/api";

const hex = (bytes: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0"))
    .join("");

/** The trace id every request of this page load carries. */
export const pageTraceId = hex(16);

const pagePropagator: TextMapPropagator = {
  inject(_context, carrier, setter) {
    setter.set(carrier, "traceparent", `00-${pageTraceId}-${hex(8)}-01`);
  },
  extract: (context) => context,
  fields: () => ["traceparent"],
};

propagation.setGlobalPropagator(pagePropagator);
