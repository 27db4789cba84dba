import { startServer } from "@backend-sandbox/testkit";
import { createApp, type AppOptions } from "#src/app";

/**
 * Serves one app instance on a loopback port and returns its base URL (closed after the file).
 * Unless a test says otherwise, Redis gets a generous deadline (a burst of 300 requests on a
 * loaded machine can take longer than the 200 ms default) and survived Redis errors stay quiet.
 */
export async function startApp(options: AppOptions): Promise<string> {
  const server = await startServer(createApp({ redisTimeoutMs: 5000, onRedisError: () => {}, ...options }));
  return server.url;
}
