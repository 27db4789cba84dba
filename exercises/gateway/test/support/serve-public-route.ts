import type { GatewayOptions } from "#src/types";
import { serveGateway } from "./serve-gateway";
import { startUpstream } from "./upstream";

/**
 * Starts an upstream called `name` and a gateway whose only route, public, sends `prefix` to it;
 * `options` adds to or overrides the gateway's options.
 */
export async function servePublicRoute(
  name: string,
  prefix: string,
  options: Partial<GatewayOptions> = {},
) {
  const upstream = await startUpstream(name);
  const served = await serveGateway({
    routes: [{ name, prefix, upstream: name, public: true }],
    upstreams: { [name]: [upstream.url] },
    ...options,
  });
  return { upstream, ...served };
}
