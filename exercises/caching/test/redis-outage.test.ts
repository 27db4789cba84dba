import { because, seededRandom, startRedis, within } from "@backend-sandbox/testkit";
import { randomProduct, useCatalog } from "#support/catalog";
import { FAIL_FAST } from "#support/fail-fast";
import { get } from "#support/http";

const catalog = useCatalog();

describe("redis-outage", () => {
  it("[R6.1] answers from the origin while Redis is stopped", async () => {
    const random = seededRandom();
    const product = randomProduct(random);
    await catalog.origin.seed([product]);
    const redis = await startRedis(); // a Redis of this file's own, which the test can stop
    const [app] = await catalog.instances(1, { redisUrl: redis.url, redisOptions: FAIL_FAST });
    await redis.stop();
    const answer = await within(3000, "an answer while Redis is stopped", get(`${app!.url}/products/${product.id}`));
    because(`expected 200 with the product from Postgres, got ${answer.status} (seed ${random.seed})`, () => expect(answer.body).toEqual(product));
  }, 30_000);
});
