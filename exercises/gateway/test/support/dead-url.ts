import { createServer } from "node:http";
import { listenOnLoopback } from "./loopback-port";

/** A loopback URL where nothing listens: connections to it are refused. */
export async function deadUrl(): Promise<string> {
  const probe = createServer();
  const port = await listenOnLoopback(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
