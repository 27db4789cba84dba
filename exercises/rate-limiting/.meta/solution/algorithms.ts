// The counting, in Redis. Each algorithm is one Lua script: Redis runs a script to the end before
// any other command, so two instances can never both read "one left" and both write "none left",
// and a key is never created without its expiry. Time comes from the caller (ARGV), not from
// Redis, so the tests can drive a fake clock; PEXPIRE only frees the memory of idle clients.
import { createHash, randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Policy } from "./types";

export interface Decision {
  /** May this request go on? */
  allowed: boolean;
  /** Whole requests the client may still make right now, after this one; never negative. */
  remaining: number;
  /** Milliseconds until the client gets at least one more request back (when refused: until it may retry). */
  resetMs: number;
}

// Fixed window: one counter per client per window; windows start at multiples of the window since
// the epoch. Refused requests are not counted, so the count never passes the limit.
const FIXED_WINDOW = script(`
  local count = tonumber(redis.call('GET', KEYS[1]) or '0')
  if count >= tonumber(ARGV[1]) then return {0, count} end
  count = redis.call('INCR', KEYS[1])
  if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
  return {1, count}`);

// Sliding log: the times of the client's admitted requests in the last window, in a sorted set.
// Exact (no request over the limit in any window of that length) at the cost of one entry per
// admitted request. Members are unique per request: two in the same millisecond must not collapse.
const SLIDING_LOG = script(`
  local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[1])
  local allowed = 0
  if count < limit then
    redis.call('ZADD', KEYS[1], now, ARGV[4])
    redis.call('PEXPIRE', KEYS[1], window)
    count, allowed = count + 1, 1
  end
  local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
  return {allowed, limit - count, oldest + window - now}`);

// Token bucket, in ticks: one token is `window` ticks and the bucket gains `limit` ticks per ms,
// so a refill of limit/window tokens per ms is exact integer arithmetic: fractions are kept, not
// rounded away between requests. A full bucket needs no state, so the key expires when it fills.
const TOKEN_BUCKET = script(`
  local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
  local full = limit * window
  local state = redis.call('HMGET', KEYS[1], 'level', 'at')
  local level, at = tonumber(state[1]) or full, tonumber(state[2]) or now
  level = math.min(full, level + math.max(0, now - at) * limit)
  local allowed = 0
  if level >= window then level, allowed = level - window, 1 end
  redis.call('HSET', KEYS[1], 'level', string.format('%.0f', level), 'at', string.format('%.0f', math.max(now, at)))
  redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((full - level) / limit)))
  local whole = math.floor(level / window)
  return {allowed, whole, math.ceil(((whole + 1) * window - level) / limit)}`);

/** Counts one request of `client` under `policy` at `nowMs`, in one step that no other instance can split. */
export async function consume(
  redis: Redis,
  policy: Policy,
  client: string,
  nowMs: number,
): Promise<Decision> {
  const { limit } = policy;
  const windowMs = policy.windowSeconds * 1000;
  // The algorithm is part of the key: a plan that changes algorithm must not meet the old data type.
  const key = `ratelimit:${policy.algorithm}:${policy.name}:${client}`;
  if (policy.algorithm === "fixed-window") {
    const windowEnd = nowMs - (nowMs % windowMs) + windowMs;
    const [allowed, count] = await run(
      redis,
      FIXED_WINDOW,
      `${key}:${windowEnd}`,
      limit,
      windowEnd - nowMs,
    );
    return {
      allowed: allowed === 1,
      remaining: Math.max(0, limit - count!),
      resetMs: windowEnd - nowMs,
    };
  }
  const [allowed, remaining, resetMs] =
    policy.algorithm === "sliding-window"
      ? await run(redis, SLIDING_LOG, key, nowMs, windowMs, limit, `${nowMs}:${randomUUID()}`)
      : await run(redis, TOKEN_BUCKET, key, nowMs, windowMs, limit);
  return { allowed: allowed === 1, remaining: remaining!, resetMs: resetMs! };
}

interface Script {
  lua: string;
  sha: string;
}

function script(lua: string): Script {
  // Stryker disable next-line StringLiteral: a wrong digest is a script Redis does not know: run() falls back to EVAL
  return { lua, sha: createHash("sha1").update(lua).digest("hex") };
}

/** EVALSHA, falling back to EVAL once when Redis has not seen the script (e.g. after a restart). */
async function run(
  redis: Redis,
  { lua, sha }: Script,
  key: string,
  ...args: (string | number)[]
): Promise<number[]> {
  try {
    return (await redis.evalsha(sha, 1, key, ...args)) as number[];
  } catch (error) {
    // A mutant that falls back on every error is not observable: any other error came from Redis or
    // the connection, and EVAL meets it too, or the request's deadline has answered already.
    // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: see above
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return (await redis.eval(lua, 1, key, ...args)) as number[];
  }
}
