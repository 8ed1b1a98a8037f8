/**
 * Which kind of address an IP literal is: the IANA special-purpose ranges
 * (RFC 6890 and the registries at iana.org/assignments/iana-ipv4-special-registry
 * and iana-ipv6-special-registry), plus the cloud metadata endpoints.
 * Internal: use `outbound.ts`.
 */

/** Every kind of address, as `edge_guard.address_class` names them too. */
export const ADDRESS_CLASSES = [
  "public",
  "loopback",
  "private",
  "unique_local",
  "metadata",
  "link_local",
  "cgnat",
  "unspecified",
  "multicast",
  "documentation",
  "benchmarking",
  "ipv4_mapped",
  "ipv4_compatible",
  "translated",
  "reserved",
] as const;

/** The kind of an address; only `public` is allowed without the development allowance. */
export type AddressClass = typeof ADDRESS_CLASSES[number];

/** Classes the development allowance (OUTBOUND_ALLOW_PRIVATE) opens; every other stays refused. */
export const DEV_ALLOWED: ReadonlySet<AddressClass> = new Set([
  "loopback",
  "private",
  "unique_local",
]);

type Range = readonly [bigint, number, AddressClass];

/**
 * Parses dotted-quad IPv4 (the form URL parsing and DNS answers give); null otherwise.
 *
 * @example
 * parseIPv4("10.0.0.1"); // 167772161n
 */
export function parseIPv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = (n << 8n) | BigInt(Number(p));
  }
  return n;
}

/**
 * Parses an IPv6 address (with `::` and a trailing dotted quad; no brackets, no zone); null otherwise.
 *
 * @example
 * parseIPv6("::1"); // 1n
 */
export function parseIPv6(text: string): bigint | null {
  if (!/^[0-9a-f:.]+$/i.test(text) || text.split("::").length > 2) return null;
  let words: string[] = [];
  const tail = /(?:^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let head = text;
  if (tail) {
    const v4 = parseIPv4(tail[1]);
    if (v4 === null) return null;
    head = text.slice(0, text.length - tail[1].length) + ((v4 >> 16n).toString(16)) + ":" +
      (v4 & 0xffffn).toString(16);
  }
  const [left, right] = head.split("::");
  const split = (s: string | undefined) => (s === undefined || s === "" ? [] : s.split(":"));
  if (right === undefined) words = split(left);
  else {
    const l = split(left), r = split(right);
    if (l.length + r.length > 7) return null;
    words = [...l, ...Array(8 - l.length - r.length).fill("0"), ...r];
  }
  if (words.length !== 8) return null;
  let n = 0n;
  for (const w of words) {
    if (!/^[0-9a-f]{1,4}$/i.test(w)) return null;
    n = (n << 16n) | BigInt(parseInt(w, 16));
  }
  return n;
}

const v4 = (cidr: string, cls: AddressClass): Range => {
  const [ip, len] = cidr.split("/");
  return [parseIPv4(ip)!, Number(len), cls];
};
const v6 = (cidr: string, cls: AddressClass): Range => {
  const [ip, len] = cidr.split("/");
  return [parseIPv6(ip)!, Number(len), cls];
};

// First match wins: the more specific ranges come first.
const V4_RANGES: readonly Range[] = [
  v4("0.0.0.0/8", "unspecified"),
  v4("10.0.0.0/8", "private"),
  v4("100.100.100.200/32", "metadata"), // Alibaba Cloud
  v4("100.64.0.0/10", "cgnat"),
  v4("127.0.0.0/8", "loopback"),
  v4("169.254.169.254/32", "metadata"), // AWS, GCP, Azure, OpenStack...
  v4("169.254.170.2/32", "metadata"), // AWS ECS task metadata
  v4("169.254.0.0/16", "link_local"),
  v4("172.16.0.0/12", "private"),
  v4("192.0.0.0/24", "reserved"),
  v4("192.0.2.0/24", "documentation"),
  v4("192.88.99.0/24", "reserved"),
  v4("192.168.0.0/16", "private"),
  v4("198.18.0.0/15", "benchmarking"),
  v4("198.51.100.0/24", "documentation"),
  v4("203.0.113.0/24", "documentation"),
  v4("224.0.0.0/4", "multicast"),
  v4("240.0.0.0/4", "reserved"),
];

const V6_RANGES: readonly Range[] = [
  v6("::/128", "unspecified"),
  v6("::1/128", "loopback"),
  v6("::ffff:0:0/96", "ipv4_mapped"),
  v6("::/96", "ipv4_compatible"),
  v6("64:ff9b::/96", "translated"),
  v6("64:ff9b:1::/48", "translated"),
  v6("100::/64", "reserved"),
  v6("2001:db8::/32", "documentation"),
  v6("2001:2::/48", "benchmarking"),
  v6("2001::/23", "reserved"), // Teredo, ORCHID and other IETF assignments
  v6("2002::/16", "translated"), // 6to4
  v6("3fff::/20", "documentation"),
  v6("fd00:ec2::254/128", "metadata"), // AWS IMDS over IPv6
  v6("fc00::/7", "unique_local"),
  v6("fe80::/10", "link_local"),
  v6("fec0::/10", "reserved"), // site-local, deprecated
  v6("ff00::/8", "multicast"),
  v6("2000::/3", "public"),
  v6("::/0", "reserved"), // everything outside global unicast
];

function match(n: bigint, bits: number, ranges: readonly Range[]): AddressClass {
  for (const [base, len, cls] of ranges) {
    const shift = BigInt(bits - len);
    if (n >> shift === base >> shift) return cls;
  }
  return "public";
}

/**
 * The class of an IP literal (IPv4 dotted quad, or IPv6 with or without
 * brackets), or null when `ip` is not one.
 *
 * @example
 * classifyAddress("169.254.169.254"); // "metadata"
 * classifyAddress("[::ffff:a9fe:a9fe]"); // "ipv4_mapped"
 * classifyAddress("93.184.215.14"); // "public"
 */
export function classifyAddress(ip: string): AddressClass | null {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  const a = parseIPv4(bare);
  if (a !== null) return match(a, 32, V4_RANGES);
  const b = parseIPv6(bare);
  return b === null ? null : match(b, 128, V6_RANGES);
}
