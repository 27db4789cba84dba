/**
 * A public quotes API is being scraped. It runs as several instances behind a load balancer, so
 * the limit lives in Redis and holds across all of them: each client (its X-API-Key, else its IP)
 * gets its own budget. This file is given; your work starts in rate-limiter.ts.
 * Do not change the exported names or signatures: the tests use them.
 */
import express, { type Express } from "express";
import type { Redis } from "ioredis";
import type { Pool } from "pg";
import { createRateLimiter } from "./rate-limiter";

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
}

const QUOTES = [
  { id: 1, text: "Simple things should be simple, complex things should be possible.", author: "Alan Kay" },
  { id: 2, text: "Make it work, make it right, make it fast.", author: "Kent Beck" },
  { id: 3, text: "There is no silver bullet.", author: "Fred Brooks" },
];

/** One app instance: the rate limiter in front of every route. */
export function createApp(options: AppOptions): Express {
  const app = express();
  app.use(createRateLimiter(options));
  app.get("/quotes/random", (_req, res) => {
    res.json(QUOTES[Math.floor(Math.random() * QUOTES.length)]);
  });
  return app;
}
