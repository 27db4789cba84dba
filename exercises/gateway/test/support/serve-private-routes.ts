import { pgPool, redisClient, type FileServices } from "@backend-sandbox/testkit";
import { serveGateway, type GatewayConfig, type Learner } from "./serve-gateway";
import type { Upstream } from "./upstream";

/**
 * Serves a gateway in `learner`'s process on the file's Postgres and Redis (clients of its own)
 * with a route `/<name>` (not public: it needs credentials) to each upstream, named as the
 * upstream is; `options` adds to or overrides these.
 */
export function servePrivateRoutes(
  learner: Learner,
  services: FileServices,
  upstreams: Upstream[],
  options: Partial<GatewayConfig> = {},
) {
  return serveGateway(learner, {
    pg: pgPool(services.databaseUrl),
    redis: redisClient(services.redisUrl),
    routes: upstreams.map(({ name }) => ({ name, prefix: `/${name}`, upstream: name })),
    upstreams: Object.fromEntries(upstreams.map(({ name, url }) => [name, [url]])),
    ...options,
  });
}
