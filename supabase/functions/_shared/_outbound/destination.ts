/**
 * The destination policy: may a request go to this URL? Scheme, host name,
 * then every address the name resolves to. Internal: use `outbound.ts`.
 */
import { type AddressClass, classifyAddress, DEV_ALLOWED } from "./address.ts";
import type { RefusalReason } from "../error-catalogue.ts";

/** Resolves a host name to its IPv4 and IPv6 addresses; rejects when it has none. */
export type Resolver = (hostname: string, o: { signal?: AbortSignal }) => Promise<string[]>;

/** Where outgoing requests may go. */
export interface OutboundPolicy {
  /**
   * The development allowance: plain `http`, loopback and private addresses
   * (RFC 1918, IPv6 unique-local, `localhost`, single-label and `.local` names).
   * Metadata, link-local, CGNAT and the other reserved ranges stay refused.
   */
  allowPrivate: boolean;
  /** DNS. Default: `Deno.resolveDns` for A and AAAA, asked anew on every check. */
  resolve: Resolver;
}

/** Why a destination was refused (the catalogue's `refusal` codes). Never holds the URL. */
export type Refusal =
  | { reason: Exclude<RefusalReason, "address"> }
  | { reason: Extract<RefusalReason, "address">; addressClass: AddressClass };

/** The outcome of {@linkcode checkDestination}. */
export type DestinationCheck =
  | { allowed: true; url: URL }
  | { allowed: false; refusal: Refusal }
  | { allowed: false; unresolvable: true; error: unknown };

/** Names that reach the instance's own metadata or internal services on every cloud. */
const INTERNAL_NAME = /(^|\.)(internal|metadata|metadata\.goog|instance-data)$/;
const LOCAL_NAME = /(^|\.)(localhost|local|localdomain|home\.arpa)$/;

/**
 * `Deno.resolveDns` for A and AAAA. Rejects only when neither has an answer.
 *
 * @example
 * const addresses = await denoResolver("example.com", {});
 */
export const denoResolver: Resolver = async (hostname, o) => {
  const [a, aaaa] = await Promise.allSettled([
    Deno.resolveDns(hostname, "A", { signal: o.signal }),
    Deno.resolveDns(hostname, "AAAA", { signal: o.signal }),
  ]);
  const found = [a, aaaa].flatMap((r) => (r.status === "fulfilled" ? r.value : []));
  if (found.length > 0) return found;
  throw a.status === "rejected" ? a.reason : new Error(`no address for ${hostname}`);
};

function nameRefusal(host: string, allowPrivate: boolean): Refusal | null {
  if (INTERNAL_NAME.test(host)) return { reason: "name" };
  const local = LOCAL_NAME.test(host) || !host.includes(".");
  return local && !allowPrivate ? { reason: "name" } : null;
}

const allowedClass = (c: AddressClass, allowPrivate: boolean) =>
  c === "public" || (allowPrivate && DEV_ALLOWED.has(c));

/**
 * Checks one destination: `https` (or `http` with the allowance), a host that
 * is not an internal name, and every address it resolves to in an allowed
 * range. The name is resolved on every call; nothing is cached.
 *
 * @example
 * const check = await checkDestination("https://0xa9fea9fe/", { allowPrivate: false, resolve });
 * // { allowed: false, refusal: { reason: "address", addressClass: "metadata" } }
 */
export async function checkDestination(
  raw: string | URL,
  policy: OutboundPolicy,
  o: { signal?: AbortSignal } = {},
): Promise<DestinationCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { allowed: false, refusal: { reason: "bad_url" } };
  }
  const schemes = policy.allowPrivate ? ["https:", "http:"] : ["https:"];
  if (!schemes.includes(url.protocol)) return { allowed: false, refusal: { reason: "scheme" } };
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  const literal = classifyAddress(host);
  let addresses: string[];
  if (literal !== null) addresses = [host];
  else {
    const named = nameRefusal(host, policy.allowPrivate);
    if (named !== null) return { allowed: false, refusal: named };
    try {
      addresses = await policy.resolve(host, { signal: o.signal });
      if (addresses.length === 0) throw new Error("no address");
    } catch (error) {
      return { allowed: false, unresolvable: true, error };
    }
  }
  for (const address of addresses) {
    const cls = classifyAddress(address) ?? "reserved";
    if (!allowedClass(cls, policy.allowPrivate)) {
      return { allowed: false, refusal: { reason: "address", addressClass: cls } };
    }
  }
  return { allowed: true, url };
}
