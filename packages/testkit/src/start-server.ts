import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { onCleanup } from "./cleanup";

export interface RunningServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Closes the server and every open connection; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Serves an Express app (or any request listener) on an ephemeral loopback port. The server is
 * closed after the file's last test even if the test forgets to.
 */
export async function startServer(app: RequestListener): Promise<RunningServer> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  onCleanup(close);
  return { url: `http://127.0.0.1:${port}`, port, server, close };
}
