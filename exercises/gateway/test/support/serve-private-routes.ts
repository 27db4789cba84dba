import type { FileServices } from "@backend-sandbox/testkit";
import type { GatewayOptions } from "#src/types";
import { serveGateway } from "./serve-gateway";
import type { Upstream } from "./upstream";

/**
 * Serves a gateway on the file's Postgres and Redis with a route `/<name>` (not public: it needs
 * credentials) to each upstream, named as the upstream is; `options` adds to or overrides these.
 */
export function servePrivateRoutes(
  services: FileServices,
  upstreams: Upstream[],
  options: Partial<GatewayOptions> = {},
) {
  return serveGateway({
    pg: services.pg,
    redis: services.redis,
    routes: upstreams.map(({ name }) => ({ name, prefix: `/${name}`, upstream: name })),
    upstreams: Object.fromEntries(upstreams.map(({ name, url }) => [name, [url]])),
    ...options,
  });
}
