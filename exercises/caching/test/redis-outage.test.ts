import { because, request, startRedis, within } from "@backend-sandbox/testkit";
import { cachedOnEvery } from "#support/cached-on-every";
import { FAIL_FAST } from "#support/fail-fast";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog();

describe("redis-outage", () => {
  it("[R6.1] answers from the origin while Redis is stopped", async () => {
    const { random, product } = await catalog.seededProduct();
    const redis = await startRedis(); // a Redis of this file's own, which the test can stop
    const [app] = await catalog.instances(1, { redisUrl: redis.url, redisOptions: FAIL_FAST });
    await redis.stop();
    const answer = await within(
      3000,
      "an answer while Redis is stopped",
      request(`${app!.url}/products/${product.id}`),
    );
    because(
      `expected 200 with the product from Postgres, got ${answer.status} (seed ${random.seed})`,
      () => expect(answer.body).toEqual(product),
    );
  }, 30_000);

  it("[R6.1] answers a cached product from the origin within 2.5 s while Redis is paused", async () => {
    const { random, product } = await catalog.seededProduct();
    const redis = await startRedis();
    const [app] = await catalog.instances(1, { redisUrl: redis.url, redisOptions: FAIL_FAST });
    await cachedOnEvery(catalog.origin, [app!], product);
    await redis.pause(); // a paused Redis accepts commands and never answers: only commandTimeout ends them
    try {
      const answer = await within(
        5000,
        "an answer while Redis is paused",
        request(`${app!.url}/products/${product.id}`),
      );
      because(
        `expected 200 with the product within 2500 ms, got ${answer.status} after ${Math.round(answer.ms)} ms (seed ${random.seed})`,
        () => {
          expect(answer.body).toEqual(product);
          expect(answer.ms).toBeLessThan(2500);
        },
      );
    } finally {
      await redis.resume();
    }
  }, 30_000);
});
