/**
 * A local stand-in for `${SUPABASE_URL}/auth/v1/.well-known/jwks.json`, with
 * failure modes for the guard's "keys unavailable" path.
 */

/** ok: 200 + the JWKS; down: 503; slow: answers after `slowMs`; garbage: 200 + non-JSON. */
export type JwksMode = "ok" | "down" | "slow" | "garbage";

export interface JwksServer {
  /** Base URL to use as SUPABASE_URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Requests received for the JWKS path. */
  fetchCount(): number;
  setMode(mode: JwksMode): void;
  /** Replaces the served key set (key rotation). */
  setJwks(jwks: unknown): void;
  close(): Promise<void>;
}

export const JWKS_PATH = "/auth/v1/.well-known/jwks.json";

/**
 * Starts the server on 127.0.0.1, port 0. Always `await close()`.
 *
 * @example
 * const server = startJwksServer(key.jwks);
 * try { ... SUPABASE_URL: server.url ... } finally { await server.close(); }
 */
export function startJwksServer(
  jwks: unknown,
  options: { mode?: JwksMode; slowMs?: number } = {},
): JwksServer {
  let mode = options.mode ?? "ok";
  let served = jwks;
  let count = 0;
  const sleepers = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    if (new URL(req.url).pathname !== JWKS_PATH) return new Response("not found", { status: 404 });
    count++;
    if (mode === "down") return new Response("unavailable", { status: 503 });
    if (mode === "garbage") return new Response("<html>not json", { status: 200 });
    if (mode === "slow") await sleep(options.slowMs ?? 5_000);
    return Response.json(served);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    fetchCount: () => count,
    setMode: (next) => void (mode = next),
    setJwks: (next) => void (served = next),
    close: async () => {
      for (const wake of [...sleepers]) wake();
      await server.shutdown();
    },
  };
}
