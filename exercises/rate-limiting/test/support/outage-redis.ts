import {
  redisClient,
  startRedis,
  type ServiceHandle,
  type StandIn,
} from "@backend-sandbox/testkit";

/**
 * A Redis of the test's own to stop, start, pause and resume, and connection settings for a client
 * on it that the app's process builds with ioredis' defaults (offline queue on, 20 retries per
 * command), as an app would get.
 */
export async function outageRedis(): Promise<{ server: ServiceHandle; client: () => StandIn }> {
  const server = await startRedis();
  return { server, client: () => redisClient(server.url) };
}
