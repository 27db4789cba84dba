// One call sets up a test file: its own Redis database and Postgres database, the counted origin,
// and app instances, each in a learner's process of its own, served on real HTTP ports. Redis and
// the table are emptied before each test.
import {
  redisClient,
  seededRandom,
  startLearner,
  useLearner,
  useServices,
  type LearnerProcess,
  type SeededRandom,
  isFixedRandom,
} from "@backend-sandbox/testkit";
import type * as App from "#src/app";
import type { Product } from "#src/product";
import { createOrigin, type Origin } from "./origin";
import { randomProduct } from "./random-product";

export interface Instance {
  readonly url: string;
}

export type InstanceOptions = Omit<App.AppOptions, "redis" | "repository"> & {
  /** A Redis URL other than the file's (e.g. a dedicated one from startRedis()). */
  redisUrl?: string;
  /** ioredis RedisOptions for the app's client (JSON values only: they cross to its process). */
  redisOptions?: Record<string, unknown>;
};

export function useCatalog(setup: { delayMs?: number } = {}) {
  const services = useServices();
  const learner = useLearner();
  // Instance n always runs in process n of this file: instances never share module state, as in
  // production, where each instance is a process of its own.
  const others: Promise<LearnerProcess>[] = [];
  const processOf = (n: number) =>
    n === 0 ? learner.process() : (others[n - 1] ??= startLearner());
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
    /**
     * Starts `count` instances sharing one Redis (each builds its own client) and the counted
     * origin, which stays in the test process: the app calls it back.
     */
    async instances(count: number, options: InstanceOptions = {}): Promise<Instance[]> {
      const { redisUrl, redisOptions, ...appOptions } = options;
      if (appOptions.random && !isFixedRandom(appOptions.random))
        throw new TypeError(
          "give the app a random made by fixedRandom() (@backend-sandbox/testkit)",
        );
      const started: Instance[] = [];
      for (let n = 0; n < count; n++) {
        const process = await processOf(n);
        const app = await process.module<typeof App>("app").createApp({
          ...appOptions,
          redis: redisClient(redisUrl ?? services.redisUrl, redisOptions),
          repository: origin!.repository,
        });
        started.push({ url: (await process.serve(app)).url });
      }
      return started;
    },
  };
}
