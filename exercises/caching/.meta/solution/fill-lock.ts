// The per-product fill lock, used as a lease (Nishtala et al., "Scaling Memcache at Facebook",
// NSDI 2013): only the request holding the lock may store the value it loaded, and a write
// deletes the lock along with the entry, so a load that began before the write cannot store
// what it read. The recipe is Redis' own (SET NX PX with a random token, compare-and-delete);
// redis.io marks it single-instance only, which is what this service runs against.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

export const entryKey = (id: string) => `product:${id}`;
export const lockKey = (id: string) => `lock:product:${id}`;

/** Deletes the lock only if it still holds our token: after our lock expired, another request owns the key. */
const RELEASE_IF_OWNER = `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`;

/**
 * Stores the entry and releases the lock in one step, only if the lock is still ours. If a write
 * deleted the lock while we read the origin, what we read may be older than the write: drop it.
 */
const STORE_IF_OWNER = `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("SET", KEYS[2], ARGV[2], "PX", ARGV[3])
  redis.call("DEL", KEYS[1])
  return 1
end
return 0`;

export class FillLock {
  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
  ) {}

  /** A token when we now hold the lock, null when another request does. */
  async acquire(id: string): Promise<string | null> {
    const token = randomUUID();
    const ok = await this.redis.set(lockKey(id), token, "PX", this.ttlMs, "NX");
    return ok === "OK" ? token : null;
  }

  async release(id: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE_IF_OWNER, 1, lockKey(id), token);
  }

  /** Stores nothing when the lock was lost (expired, or deleted by a write): the next read loads again. */
  async storeAndRelease(id: string, token: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.eval(STORE_IF_OWNER, 2, lockKey(id), entryKey(id), token, value, ttlMs);
  }
}
