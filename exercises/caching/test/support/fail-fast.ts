/**
 * The Redis client options the redis-outage tests give your app (ioredis RedisOptions): calls
 * fail instead of queueing or waiting. Stopped Redis: rejected at once; paused Redis: rejected
 * after commandTimeout. ioredis' default retryStrategy reconnects after 50 ms, then 50 ms more
 * per attempt, at most 2 s apart.
 */
export const FAIL_FAST = {
  enableOfflineQueue: false,
  commandTimeout: 300,
  maxRetriesPerRequest: 0,
  connectTimeout: 1000,
} as const;
