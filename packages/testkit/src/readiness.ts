import { Socket } from "node:net";
import { processPgClient } from "./process-packages";
import type { ServiceKind } from "./providers/provider";
import { waitFor } from "./wait-for";

/**
 * Resolves once the server at `url` answers a real command: PING for Redis, SELECT 1 for Postgres.
 * An aborted `signal` (the server died) ends the wait at once.
 */
export function waitUntilReady(
  kind: ServiceKind,
  url: string,
  timeoutMs = 60_000,
  signal?: AbortSignal,
): Promise<void> {
  const probe = kind === "redis" ? () => redisPing(url) : () => postgresSelect(url);
  return waitFor(`${kind} at ${redact(url)}`, probe, timeoutMs, 100, signal);
}

function redisPing(url: string): Promise<boolean> {
  const { hostname, port, password } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on("error", () => done(false));
    // Docker's port proxy accepts and then closes while the server inside is still starting.
    socket.on("close", () => done(false));
    socket.on("data", (data) => done(data.toString().includes("PONG")));
    socket.connect(Number(port || 6379), hostname, () => {
      if (password) socket.write(`AUTH ${decodeURIComponent(password)}\r\n`);
      socket.write("PING\r\n");
    });
  });
}

async function postgresSelect(url: string): Promise<boolean> {
  const client = processPgClient({
    connectionString: url,
    connectionTimeoutMillis: 2000,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Hides the password of a connection URL in messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@");
}
