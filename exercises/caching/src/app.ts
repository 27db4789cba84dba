// You run the product API of a small shop. Products live in Postgres behind a slow query (the
// origin); put Redis in front of it so that reads rarely reach Postgres, several instances of this
// app agree on what they serve, and a write is visible everywhere at once. See README.md.
import express, { type Express } from "express";
import type { Redis } from "ioredis";
import type { ProductRepository } from "./product";

/** Durations in milliseconds. Keep these names and types: the tests pass them in. */
export interface CacheOptions {
  /** Base lifetime of a product entry in Redis; each entry gets ttlMs * (1 + jitterRatio * random()). */
  ttlMs: number;
  jitterRatio: number;
  /** An entry older than this (judged with now()) is stale: served at once, refreshed in the background. */
  softTtlMs: number;
  /** Lifetime of a "no such product" entry; shorter than ttlMs. */
  negativeTtlMs: number;
  /** Expiry of the fill lock, so that a dead holder cannot block a key for longer. */
  lockTtlMs: number;
}

export const DEFAULT_CACHE_OPTIONS: CacheOptions = {
  ttlMs: 60_000,
  jitterRatio: 0.1,
  softTtlMs: 30_000,
  negativeTtlMs: 5_000,
  lockTtlMs: 2_000,
};

export interface AppOptions extends Partial<CacheOptions> {
  /** This instance's own Redis client (tests start several instances on one Redis). */
  redis: Redis;
  /** The origin. Every call to it counts as an origin hit. */
  repository: ProductRepository;
  /** Clock in epoch milliseconds, for the soft TTL (default Date.now). */
  now?: () => number;
  /** Uniform in [0, 1), for TTL jitter (default Math.random). */
  random?: () => number;
}

/** Builds one instance of the service. Do not change this signature. */
export function createApp(options: AppOptions): Express {
  const config: CacheOptions = { ...DEFAULT_CACHE_OPTIONS, ...options };
  const app = express();
  app.use(express.json({ limit: "16kb", strict: false })); // a bare JSON value reaches validation (422), only broken JSON is 400

  // TODO(cache-aside): serve GET /products/:id from Redis after the first read.
  // TODO(ttl-and-invalidation): jittered TTLs; PUT/PATCH/DELETE leave no stale entry behind, even when racing a read.
  // TODO(stampede): one origin call per cold key across all instances: a lock with a token, an expiry, and owner-only release.
  // TODO(negative-caching): remember briefly that an id does not exist.
  // TODO(stale-while-revalidate): past softTtlMs serve stale and refresh once in the background; Cache-Control, ETag, 304.
  // TODO(redis-outage): when Redis fails, answer from the origin; use the cache again once it is back.
  // TODO(collections): cache GET /products?category=... and invalidate it on any write without KEYS or SCAN.
  app.get("/products/:id", () => {
    throw new Error("not implemented: GET /products/:id");
  });
  app.put("/products/:id", () => {
    throw new Error("not implemented: PUT /products/:id");
  });
  app.patch("/products/:id", () => {
    throw new Error("not implemented: PATCH /products/:id");
  });
  app.delete("/products/:id", () => {
    throw new Error("not implemented: DELETE /products/:id");
  });
  app.get("/products", () => {
    throw new Error("not implemented: GET /products");
  });
  return app;
}
