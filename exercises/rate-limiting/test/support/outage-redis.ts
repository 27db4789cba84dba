import { onCleanup, startRedis } from "@backend-sandbox/testkit";
import type { ServiceHandle } from "@backend-sandbox/testkit";
import { Redis } from "ioredis";

/**
 * A Redis of the test's own to stop, start, pause and resume, and a client on it made with
 * ioredis' defaults (offline queue on, 20 retries per command), as an app would get.
 */
export async function outageRedis(): Promise<{
  server: ServiceHandle;
  newClient: () => Promise<Redis>;
}> {
  const server = await startRedis();
  const newClient = async () => {
    const client = new Redis(server.url);
    client.on("error", () => {}); // connection errors are the point of these tests
    onCleanup(() => client.disconnect());
    // Connected before the app gets it: a first request must not spend its deadline on the handshake.
    if (client.status !== "ready") await new Promise((resolve) => client.once("ready", resolve));
    return client;
  };
  return { server, newClient };
}
