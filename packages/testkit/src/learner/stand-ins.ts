/**
 * Connection settings that cross to the learner's process, which builds the live client on its
 * own side: tests pass `redisClient(url)` where the code under test takes an ioredis client, and
 * `pgPool(config)` where it takes a pg Pool. A live client never crosses.
 */
export const STAND_IN = Symbol.for("backend-sandbox.stand-in");

export interface StandIn {
  readonly [STAND_IN]: Record<string, unknown>;
}

/** An ioredis client on `url`, made in the learner's process with `options` (ioredis' RedisOptions, JSON only). */
export function redisClient(url: string, options: Record<string, unknown> = {}): StandIn {
  return { [STAND_IN]: { $: "redis", url, options } };
}

/** A pg Pool made in the learner's process from `config` (pg's PoolConfig, JSON only, e.g. connectionString, max). */
export function pgPool(config: Record<string, unknown> | string): StandIn {
  return {
    [STAND_IN]: {
      $: "pgPool",
      config: typeof config === "string" ? { connectionString: config } : config,
    },
  };
}
