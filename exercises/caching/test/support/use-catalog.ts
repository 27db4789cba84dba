// One call sets up a test file: its own Redis database and Postgres database, the counted origin,
// and app instances started on real HTTP ports. Redis and the table are emptied before each test.
import {
  onCleanup,
  seededRandom,
  startServer,
  useServices,
  within,
  type SeededRandom,
} from "@backend-sandbox/testkit";
import { Redis, type RedisOptions } from "ioredis";
import type { AppOptions } from "#src/app";
import type { Product } from "#src/product";
import { createOrigin, type Origin } from "./origin";
import { randomProduct } from "./random-product";

export interface Instance {
  readonly url: string;
  readonly redis: Redis;
}

export type InstanceOptions = Omit<AppOptions, "redis" | "repository"> & {
  /** A Redis URL other than the file's (e.g. a dedicated one from startRedis()). */
  redisUrl?: string;
  redisOptions?: RedisOptions;
};

type CreateApp = (typeof import("#src/app"))["createApp"];
const loaded: CreateApp[] = [];

/**
 * Instance n gets its own copy of the app's modules, so module-level state is not shared between
 * instances: as in production, where each instance is a separate process.
 */
function createAppOfInstance(n: number): CreateApp {
  while (loaded.length <= n) {
    jest.isolateModules(() =>
      loaded.push((require("#src/app") as typeof import("#src/app")).createApp),
    );
  }
  return loaded[n]!;
}

export function useCatalog(setup: { delayMs?: number } = {}) {
  const services = useServices();
  let origin: Origin | undefined;
  beforeAll(async () => {
    origin = await createOrigin(services.pg, setup);
  });
  beforeEach(async () => {
    await services.redis.flushdb();
    await origin!.reset();
  });
  return {
    services,
    get origin(): Origin {
      return origin!;
    },
    /** How most tests begin: a seeded random (its seed goes in failure messages) and one random product in the origin. */
    async seededProduct(): Promise<{ random: SeededRandom; product: Product }> {
      const random = seededRandom();
      const product = randomProduct(random);
      await origin!.seed([product]);
      return { random, product };
    },
    /** Starts `count` instances sharing one Redis (separate clients) and the counted origin. */
    async instances(count: number, options: InstanceOptions = {}): Promise<Instance[]> {
      const { redisUrl, redisOptions, ...appOptions } = options;
      const started: Instance[] = [];
      for (let n = 0; n < count; n++) {
        const redis = redisUrl
          ? newRedisAt(redisUrl, redisOptions)
          : services.newRedis(redisOptions);
        // Ready before the first request: a client without an offline queue rejects until then.
        if (redis.status !== "ready")
          await within(
            10_000,
            "the Redis client to connect",
            new Promise((ready) => redis.once("ready", ready)),
          );
        const app = createAppOfInstance(n)({
          ...appOptions,
          redis,
          repository: origin!.repository,
        });
        started.push({ url: (await startServer(app)).url, redis });
      }
      return started;
    },
  };
}

function newRedisAt(url: string, options: RedisOptions = {}): Redis {
  const client = new Redis(url, options);
  onCleanup(() => client.disconnect());
  return client;
}
