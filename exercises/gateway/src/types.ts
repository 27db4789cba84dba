// The gateway's configuration and handle. Tests build gateways from these types: do not change them.
import type { RequestListener } from "node:http";
import type { Redis } from "ioredis";
import type { Pool } from "pg";

/** A path prefix served by one upstream, e.g. { name: "users", prefix: "/api/users", upstream: "users" }. */
export interface Route {
  /** What a consumer's allow-list names. */
  name: string;
  /** Matches the path itself and anything below it on a `/` boundary; the longest prefix wins. */
  prefix: string;
  /** A key of GatewayOptions.upstreams. */
  upstream: string;
  /** Replaces the matched prefix in the path sent upstream; default "" (strip the prefix). */
  rewrite?: string;
  /** A public route needs no API key and is not rate limited; default false. */
  public?: boolean;
}

/** One endpoint answered by calling several upstreams in parallel (GET only). */
export interface Aggregate {
  /** The exact path, e.g. "/dashboard". */
  path: string;
  /** Part name -> which upstream and path to GET; each answer must be JSON. */
  parts: Record<string, { upstream: string; path: string }>;
}

export interface GatewayOptions {
  routes: Route[];
  /** Upstream name -> base URLs of its instances, e.g. { users: ["http://127.0.0.1:4001"] }. */
  upstreams: Record<string, string[]>;
  aggregates?: Aggregate[];
  /** Consumers (auth); needed as soon as one route is not public. */
  pg?: Pool;
  /** Rate-limit counters; needed as soon as one route is not public. */
  redis?: Redis;
  /** Also accept `Authorization: Bearer <JWT>` (HS256, see JwtOptions); API keys only when omitted. */
  jwt?: JwtOptions;
  /** Milliseconds since the epoch; the breaker's cool-down and JWT exp/nbf checks read time only from here. Default Date.now. */
  now?: () => number;
  /** Largest request body forwarded, in bytes; default 1 MiB. */
  maxBodyBytes?: number;
  /** How long one attempt may wait for the upstream's response headers; default 5000 ms. */
  upstreamTimeoutMs?: number;
  /** Extra attempts for idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE); default 0. */
  retries?: number;
  /** Per-upstream circuit breaker; none when omitted. */
  breaker?: { failureThreshold: number; cooldownMs: number };
  /** Length of a consumer's rate-limit window; default 60000 ms. */
  rateLimitWindowMs?: number;
  /** Path probed on every instance by checkHealth(); default "/healthz". */
  healthPath?: string;
  /** When set, checkHealth() also runs on its own every this many ms until close(). */
  healthCheckIntervalMs?: number;
}

/** Bearer tokens: HS256 JWTs whose `sub` is a consumer's id (the one createConsumer returned). */
export interface JwtOptions {
  /** The HMAC key, as UTF-8; at least 32 bytes (RFC 7518 §3.2), or createGateway throws. */
  secret: string;
  /** Clock skew allowed on `exp` and `nbf`, in seconds: 0 to 60, default 30. */
  leewaySeconds?: number;
}

export interface Gateway {
  /** The request listener: hand it to http.createServer (or the testkit's startServer). */
  handle: RequestListener;
  /** Probes every instance once; an instance answering anything but 2xx in time leaves the rotation. */
  checkHealth(): Promise<void>;
  /** Stops background work and closes upstream connections. */
  close(): Promise<void>;
}

/** What createConsumer stores: a consumer, its API key and the routes (by name) it may call. */
export interface NewConsumer {
  name: string;
  apiKey: string;
  routes: string[];
  /** Requests allowed per rate-limit window. */
  rateLimit: number;
}
