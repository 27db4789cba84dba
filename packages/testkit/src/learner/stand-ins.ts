/**
 * Connection settings that cross to the learner's process, which builds the live client on its
 * own side: tests pass `redisClient(url)` where the code under test takes an ioredis client, and
 * `pgPool(config)` where it takes a pg Pool. A live client never crosses.
 */
export const STAND_IN = Symbol.for("backend-sandbox.stand-in");

/** Each stand-in is built once in a learner's process, however often it crosses: the same client every time. */
let nextStandIn = 1;

export interface StandIn {
  readonly [STAND_IN]: Record<string, unknown>;
}

/** An ioredis client on `url`, made in the learner's process with `options` (ioredis' RedisOptions, JSON only). */
export function redisClient(url: string, options: Record<string, unknown> = {}): StandIn {
  onlyData("redisClient", options);
  return { [STAND_IN]: { $: "redis", id: nextStandIn++, url, options } };
}

/** A pg Pool made in the learner's process from `config` (pg's PoolConfig, JSON only, e.g. connectionString, max). */
export function pgPool(config: Record<string, unknown> | string): StandIn {
  if (typeof config !== "string") onlyData("pgPool", config);
  return {
    [STAND_IN]: {
      $: "pgPool",
      id: nextStandIn++,
      config: typeof config === "string" ? { connectionString: config } : config,
    },
  };
}

/** Throws on a function among `options` (say `retryStrategy`): it could not cross, and would vanish. */
function onlyData(what: string, options: Record<string, unknown>, at = ""): void {
  for (const [key, value] of Object.entries(options)) {
    if (typeof value === "function")
      throw new TypeError(
        `${what}: option ${at}${key} is a function, which cannot cross to the learner's process; pass data only`,
      );
    if (value && typeof value === "object")
      onlyData(what, value as Record<string, unknown>, `${at}${key}.`);
  }
}
