// You run the API gateway of a small shop: one front door on loopback for the `users`, `orders`
// and `catalog` services. It routes by path prefix, checks API keys, rate-limits consumers, survives
// slow and dead upstreams, balances instances and composes a dashboard from two services.
//
// Keep the exported names and signatures: the tests build gateways through them.
import type { Gateway, GatewayOptions } from "./types";

export type { Aggregate, Gateway, GatewayOptions, JwtOptions, NewConsumer, Route } from "./types";

export function createGateway(options: GatewayOptions): Gateway {
  // TODO(routing): match the longest route prefix, rewrite it, stream method, query, headers and
  //   body to an upstream instance and its answer back; 404 for no route, 413 over maxBodyBytes.
  // TODO(headers): drop hop-by-hop headers both ways (and those named in Connection), set
  //   X-Forwarded-For/-Proto/-Host and Via, propagate or generate X-Request-Id.
  // TODO(auth): on non-public routes, X-Api-Key -> consumer (see consumers.ts); 401 / 403. With
  //   options.jwt, also `Authorization: Bearer <JWT>`: HS256 only, exp/nbf against now(), `sub` ->
  //   consumer; a refused token is 401 with WWW-Authenticate: Bearer error="invalid_token".
  // TODO(rate-limits): at most consumer.rateLimit requests per window, counted in Redis; 429.
  // TODO(resilience): 504 on timeout, 502 on a broken upstream, retries for idempotent methods
  //   only, a circuit breaker per upstream.
  // TODO(load-balancing): round-robin over healthy instances; checkHealth() updates the rotation.
  // TODO(aggregation): GET an aggregate's parts in parallel; degrade when one part fails.
  const notImplemented = () => {
    throw new Error("not implemented: createGateway");
  };
  return {
    handle: (_req, res) => {
      res.writeHead(501, { "content-type": "text/plain" }).end("not implemented: createGateway");
    },
    checkHealth: async () => notImplemented(),
    close: async () => {},
  };
}
