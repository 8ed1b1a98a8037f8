/**
 * A tiny webhook receiver for the local stack's demo bot: it answers every
 * request with 200 `{"ok":true}`, keeps the last requests in memory and logs
 * one line per delivery. Local use only.
 *
 * @module
 */
import { log as defaultLog, type Logger } from "../functions/_shared/log.ts";

/** One received request. */
export interface ReceivedHook {
  method: string;
  path: string;
  body: string;
  receivedAt: Date;
}

/** Options for {@linkcode startDemoReceiver}. */
export interface DemoReceiverOptions {
  /** TCP port on 127.0.0.1. Default 0 (a free port). */
  port?: number;
  /** Logger for `demo_webhook_received` lines. Default: the console logger. */
  logger?: Logger;
  /** How many requests to keep. Default 100. */
  keep?: number;
}

/** A running receiver. */
export interface DemoReceiver {
  /** Base URL, e.g. `http://127.0.0.1:40123`; bots post to `${url}/hook`. */
  url: string;
  /** Requests received so far, oldest first (at most `keep`). */
  received(): ReceivedHook[];
  /** Stops the server. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the receiver.
 *
 * @example
 * const receiver = startDemoReceiver();
 * try { console.log(receiver.url); } finally { await receiver.close(); }
 */
export function startDemoReceiver(options: DemoReceiverOptions = {}): DemoReceiver {
  const logger = options.logger ?? defaultLog;
  const keep = options.keep ?? 100;
  const hooks: ReceivedHook[] = [];
  const stop = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: options.port ?? 0, signal: stop.signal, onListen: () => {} },
    async (req) => {
      const path = new URL(req.url).pathname;
      const body = await req.text();
      hooks.push({ method: req.method, path, body, receivedAt: new Date() });
      if (hooks.length > keep) hooks.shift();
      logger("info", "demo_webhook_received", { method: req.method, path, bytes: body.length });
      return Response.json({ ok: true });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    received: () => hooks.slice(),
    async close() {
      stop.abort();
      await server.finished;
    },
  };
}
