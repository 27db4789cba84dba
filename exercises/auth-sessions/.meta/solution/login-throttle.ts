// Login throttling shared by every instance through Redis (OWASP Authentication Cheat Sheet,
// NIST SP 800-63B §5.2.2). An attempt is counted before the password is checked, in one script,
// so concurrent guesses on several instances cannot slip past the limit between a check and a count.
import type { Redis } from "ioredis";

export const MAX_ACCOUNT_FAILURES = 5;
export const ACCOUNT_LOCK_MS = 15 * 60_000;
export const MAX_ADDRESS_FAILURES = 20;
export const ADDRESS_WINDOW_MS = 15 * 60_000;
const KEY_TTL_MS = 24 * 3_600_000;

// KEYS: the account's and the address's hashes. ARGV: now, then the four limits above.
// Answers 0 and counts the attempt on both, or answers the ms to wait and counts nothing: a
// refused attempt never extends a lock (R3.3).
const ATTEMPT = `
local now = tonumber(ARGV[1])
local failures, lockedUntil = unpack(redis.call('HMGET', KEYS[1], 'failures', 'lockedUntil'))
failures, lockedUntil = tonumber(failures) or 0, tonumber(lockedUntil) or 0
if lockedUntil > now then return lockedUntil - now end
if lockedUntil > 0 then failures = 0; redis.call('HSET', KEYS[1], 'failures', 0, 'lockedUntil', 0) end
if failures >= tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'lockedUntil', now + tonumber(ARGV[3]))
  return tonumber(ARGV[3])
end
local windowStart, used = unpack(redis.call('HMGET', KEYS[2], 'windowStart', 'failures'))
windowStart, used = tonumber(windowStart), tonumber(used) or 0
if not windowStart or now >= windowStart + tonumber(ARGV[5]) then
  windowStart, used = now, 0
  redis.call('HSET', KEYS[2], 'windowStart', now, 'failures', 0)
end
if used >= tonumber(ARGV[4]) then return windowStart + tonumber(ARGV[5]) - now end
redis.call('HINCRBY', KEYS[1], 'failures', 1)
redis.call('HINCRBY', KEYS[2], 'failures', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return 0
`;

// After a wrong password: the account locks once its counted failures reach the limit.
const FAILED = `
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures')) or 0
local lockedUntil = tonumber(redis.call('HGET', KEYS[1], 'lockedUntil')) or 0
if failures >= tonumber(ARGV[2]) and lockedUntil <= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'lockedUntil', tonumber(ARGV[1]) + tonumber(ARGV[3]))
end
`;

// After a right password: the account starts over; the address gets its counted attempt back.
const SUCCEEDED = `
redis.call('DEL', KEYS[1])
if (tonumber(redis.call('HGET', KEYS[2], 'failures')) or 0) > 0 then redis.call('HINCRBY', KEYS[2], 'failures', -1) end
`;

const accountKey = (email: string) => `login-throttle:account:${email}`;
const addressKey = (address: string) => `login-throttle:address:${address}`;

export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly now: () => number,
  ) {}

  /** 0 when the attempt may go on (and is now counted), else the ms until it may. */
  async attempt(email: string, address: string): Promise<number> {
    const limits = [
      MAX_ACCOUNT_FAILURES,
      ACCOUNT_LOCK_MS,
      MAX_ADDRESS_FAILURES,
      ADDRESS_WINDOW_MS,
      KEY_TTL_MS,
    ];
    return Number(
      await this.redis.eval(
        ATTEMPT,
        2,
        accountKey(email),
        addressKey(address),
        this.now(),
        ...limits,
      ),
    );
  }

  async failed(email: string, address: string): Promise<void> {
    await this.redis.eval(
      FAILED,
      2,
      accountKey(email),
      addressKey(address),
      this.now(),
      MAX_ACCOUNT_FAILURES,
      ACCOUNT_LOCK_MS,
    );
  }

  async succeeded(email: string, address: string): Promise<void> {
    await this.redis.eval(SUCCEEDED, 2, accountKey(email), addressKey(address));
  }

  /** A completed password reset lifts the account's lock (R5.6). */
  async clear(email: string): Promise<void> {
    await this.redis.del(accountKey(email));
  }
}
