import { serveGateway, type GatewayConfig, type Learner } from "./serve-gateway";
import { startUpstream } from "./upstream";

/**
 * Starts an upstream called `name` and a gateway in `learner`'s process whose only route, public,
 * sends `prefix` to it; `options` adds to or overrides the gateway's options.
 */
export async function servePublicRoute(
  learner: Learner,
  name: string,
  prefix: string,
  options: Partial<GatewayConfig> = {},
) {
  const upstream = await startUpstream(name);
  const served = await serveGateway(learner, {
    routes: [{ name, prefix, upstream: name, public: true }],
    upstreams: { [name]: [upstream.url] },
    ...options,
  });
  return { upstream, ...served };
}
