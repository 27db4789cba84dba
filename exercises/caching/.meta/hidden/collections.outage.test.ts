import { because, request, seededRandom, within } from "@backend-sandbox/testkit";
import type { Product } from "#src/product";
import { FAIL_FAST } from "#support/fail-fast";
import { useOwnRedis } from "#support/own-redis";
import { randomProduct } from "#support/random-product";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog();
// This file's own Redis, so stopping it disturbs nobody else.
const own = useOwnRedis();

const BOUND_MS = 2500;
const sorted = (products: Product[]) =>
  [...products].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

describe("collections: Redis outage", () => {
  it("[R7.6, R7.1] answers lists from the origin while Redis is stopped", async () => {
    const random = seededRandom();
    const products = Array.from({ length: random.int(3, 6) }, () => randomProduct(random));
    await catalog.origin.seed(products);
    const [app] = await catalog.instances(1, { redisUrl: own.redis.url, redisOptions: FAIL_FAST });
    const category = products[0]!.category;
    const expected = {
      all: { items: sorted(products) },
      some: { items: sorted(products.filter((p) => p.category === category)) },
    };
    // Cached before the outage (lists answered from Redis), then the same queries without it.
    for (let n = 0; n < 2; n++) {
      await request(`${app!.url}/products`);
      await request(`${app!.url}/products?category=${category}`);
    }
    await own.redis.stop();
    try {
      for (const [query, body] of [
        ["", expected.all],
        [`?category=${category}`, expected.some],
      ] as const) {
        const answer = await within(
          BOUND_MS + 1000,
          `GET /products${query} while Redis is stopped`,
          request(`${app!.url}/products${query}`),
        );
        because(
          `expected 200 with the list from the origin within ${BOUND_MS} ms for GET /products${query} while Redis is stopped, got ${answer.status} after ${Math.round(answer.ms)} ms (seed ${random.seed})`,
          () => {
            expect(answer.status).toBe(200);
            expect(answer.body).toEqual(body);
            expect(answer.ms).toBeLessThan(BOUND_MS);
          },
        );
      }
    } finally {
      await own.redis.start();
    }
  }, 30_000);
});
