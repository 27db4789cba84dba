// WRONG: Redis errors are not caught, so with Redis down every request fails instead of reading Postgres.
export const REDIS_DOWN = Symbol("redis down");

/**
 * The cache is an optimisation: a failed Redis call becomes REDIS_DOWN and the caller goes to the
 * origin. How long a call may take is bounded by the client (commandTimeout, no offline queue).
 */
export async function orDown<T>(work: Promise<T>): Promise<T | typeof REDIS_DOWN> {
  return await work;
}

/** Spreads expiries over [ttl, ttl * (1 + ratio)], so keys filled together do not expire together. */
export function jittered(ttlMs: number, ratio: number, random: () => number): number {
  return Math.round(ttlMs * (1 + ratio * random()));
}
