// A fixed window per consumer, counted in Redis so that every gateway instance shares it.
import type { Redis } from "ioredis";

// INCR and the first PEXPIRE must be one step: with GET-then-SET two instances read the same count
// and both let a request through; with INCR and PEXPIRE as two calls a crash between them leaves
// a counter that never expires. A script runs atomically on the Redis server.
const FIXED_WINDOW = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
`;

/** How long the gateway waits for Redis before answering 503 rather than hanging. */
const REDIS_TIMEOUT_MS = 500;

export type Verdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class RateLimitUnavailable extends Error {}

export async function takeRequest(
  redis: Redis,
  consumerId: string,
  limit: number,
  windowMs: number,
): Promise<Verdict> {
  const reply = (await withTimeout(
    redis.eval(FIXED_WINDOW, 1, `gateway:rate:${consumerId}`, windowMs),
    REDIS_TIMEOUT_MS,
  )) as [number, number];
  const [count, ttlMs] = reply.map(Number) as [number, number];
  if (count <= limit) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  // Stryker disable next-line StringLiteral: prose no rule words (gateway.ts answers the 503 with a detail of its own; this message is never shown)
  const message = `Redis did not answer in ${ms} ms`;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RateLimitUnavailable(message)), ms);
  });
  // Promise.race subscribes to both promises, so a failure of `work` after the timeout is handled
  // (ignored), never an unhandled rejection.
  // Stryker disable next-line ArrowFunction: an uncleared timer only rejects `late` after the race is settled, which nothing observes
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
