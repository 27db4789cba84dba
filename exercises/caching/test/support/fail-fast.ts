import type { RedisOptions } from "ioredis";

/**
 * The Redis client options the redis-outage tests give your app: calls fail instead of queueing
 * or waiting. Stopped Redis: rejected at once; paused Redis: rejected after commandTimeout.
 */
export const FAIL_FAST: RedisOptions = {
  enableOfflineQueue: false,
  commandTimeout: 300,
  maxRetriesPerRequest: 0,
  connectTimeout: 1000,
  retryStrategy: () => 200, // keep reconnecting every 200 ms, so the cache comes back soon
};
