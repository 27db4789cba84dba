// The shapes the app, the limiter and the tests share. In a file of their own so that app.ts and
// rate-limiter.ts do not import each other. Do not change them: the tests use them.

import type { Redis } from "ioredis";
import type { Pool } from "pg";

export type Algorithm = "fixed-window" | "sliding-window" | "token-bucket";

export interface Policy {
  /** Shown in the RateLimit-Policy and RateLimit headers, e.g. "default" or a plan's name. */
  name: string;
  algorithm: Algorithm;
  /** Requests per window; for the token bucket, its capacity (the largest burst). */
  limit: number;
  /** Whole seconds, at least 1; the token bucket refills `limit` tokens per `windowSeconds`. */
  windowSeconds: number;
}

export interface AppOptions {
  /** A client made with ioredis' defaults; every app instance gets its own. */
  redis: Redis;
  /** The policy for every client, or (with `pg`) for clients that send no API key. */
  policy: Policy;
  /** Plans per API key (stage tiers); without it every API key gets `policy`. */
  pg?: Pool;
  /** Milliseconds since the epoch. Default: Date.now. */
  now?: () => number;
  /** What to do when Redis does not answer in time. Default: "closed" (answer 503). */
  failMode?: "open" | "closed";
  /** How long to wait for Redis before giving up. Default: 200. */
  redisTimeoutMs?: number;
  /** Told about every Redis failure the limiter survives. Default: console.error. */
  onRedisError?: (error: unknown) => void;
  /** How long a key's plan may be served from memory, measured with `now`. Default: 60000. */
  planCacheMs?: number;
  /** How many keys' plans (unknown keys' answers too) may be held in memory. Default: 10000. */
  planCacheEntries?: number;
}
