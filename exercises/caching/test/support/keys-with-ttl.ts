import type { Redis } from "ioredis";

/** Every key in the database with its PTTL (-1: no expiry). Test data sets are small, so KEYS is fine here. */
export async function keysWithTtl(redis: Redis): Promise<Map<string, number>> {
  const keys = await redis.keys("*");
  const ttls = await Promise.all(keys.map((key) => redis.pttl(key)));
  return new Map(keys.map((key, i) => [key, ttls[i]!]));
}
