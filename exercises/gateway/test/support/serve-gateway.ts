// Builds a gateway from the code under test and serves it on a loopback port.
import { onCleanup, startServer } from "@backend-sandbox/testkit";
import { createGateway } from "#src/gateway";
import type { Gateway, GatewayOptions } from "#src/types";

export interface Served {
  url: string;
  gateway: Gateway;
}

/** Starts a gateway on a loopback port; it is closed after the file's last test. */
export async function serveGateway(options: GatewayOptions): Promise<Served> {
  const gateway = createGateway(options);
  onCleanup(() => gateway.close());
  const server = await startServer(gateway.handle);
  return { url: server.url, gateway };
}
