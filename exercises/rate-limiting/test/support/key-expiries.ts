import type { Redis } from "ioredis";

/** Every key in the client's database with its PTTL in ms (-1: no expiry, -2: gone). */
export async function keyExpiries(redis: Redis): Promise<{ key: string; pttl: number }[]> {
  const keys = await redis.keys("*");
  const pttls = await Promise.all(keys.map((key) => redis.pttl(key)));
  return keys.map((key, i) => ({ key, pttl: pttls[i]! }));
}

/** Keys that will never expire, or will live longer than `maxMs`: a limiter's memory leak. */
export async function badExpiries(redis: Redis, maxMs: number): Promise<string[]> {
  return (await keyExpiries(redis))
    .filter(({ pttl }) => pttl === -1 || pttl > maxMs)
    .map(({ key, pttl }) => `${key} (PTTL ${pttl})`);
}
