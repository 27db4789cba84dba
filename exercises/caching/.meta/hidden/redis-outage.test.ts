import { because, eventually, request, seededRandom, within } from "@backend-sandbox/testkit";
import type { Product } from "#src/product";
import { cachedOnEvery } from "#support/cached-on-every";
import { FAIL_FAST } from "#support/fail-fast";
import { fieldsOf } from "#support/fields-of";
import { useOwnRedis } from "#support/own-redis";
import { randomProduct } from "#support/random-product";
import { useCatalog, type Instance } from "#support/use-catalog";

const catalog = useCatalog();
// This file's own Redis, so pausing and stopping it disturbs nobody else.
const own = useOwnRedis();

const BOUND_MS = 2500; // a read may spend a few 300 ms command timeouts, not more

/** `count` instances on this file's Redis, with the fail-fast client options. */
const failFastInstances = (count: number) =>
  catalog.instances(count, { redisUrl: own.redis.url, redisOptions: FAIL_FAST });

async function readAll(apps: Instance[], product: Product, what: string) {
  const answers = await within(
    BOUND_MS + 1000,
    what,
    Promise.all(apps.map((app) => request(`${app.url}/products/${product.id}`))),
  );
  for (const answer of answers) {
    because(
      `expected 200 with the product within ${BOUND_MS} ms ${what}, got ${answer.status} after ${Math.round(answer.ms)} ms`,
      () => {
        expect(answer.body).toEqual(product);
        expect(answer.ms).toBeLessThan(BOUND_MS);
      },
    );
  }
}

describe("redis-outage", () => {
  it("[R6.1] answers from the origin within a bounded time while Redis is paused", async () => {
    const random = seededRandom();
    const [cached, cold] = [randomProduct(random), randomProduct(random)];
    await catalog.origin.seed([cached, cold]);
    const apps = await failFastInstances(2);
    await cachedOnEvery(catalog.origin, apps, cached);
    await own.redis.pause();
    try {
      await readAll([...apps, ...apps, ...apps], cached, "while Redis is paused");
      await readAll(apps, cold, "for a product never cached, while Redis is paused");
    } finally {
      await own.redis.resume();
    }
  }, 30_000);

  it("[R6.1, R6.2] keeps reads and writes working while Redis is stopped, and serves the write's state", async () => {
    const { random, product } = await catalog.seededProduct();
    const apps = await failFastInstances(2);
    await cachedOnEvery(catalog.origin, apps, product);
    await own.redis.stop();
    try {
      await readAll(apps, product, "while Redis is stopped");
      const changed = randomProduct(random, { id: product.id });
      const written = await within(
        BOUND_MS + 1000,
        "a PUT while Redis is stopped",
        request(`${apps[0]!.url}/products/${product.id}`, {
          method: "PUT",
          json: fieldsOf(changed),
        }),
      );
      because(
        `expected the PUT to succeed without Redis (the write is in Postgres), got ${written.status} (seed ${random.seed})`,
        () => expect(written.status).toBe(200),
      );
      await readAll(apps, { ...changed, version: 2 }, "after a write while Redis is stopped");
    } finally {
      await own.redis.start();
    }
  }, 30_000);

  it("[R6.4] uses the cache again once Redis is back", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await failFastInstances(1);
    await own.redis.stop();
    await readAll([app!], product, "while Redis is stopped");
    await own.redis.start();
    await eventually(
      `product:${product.id} to be stored in Redis again after its return (seed ${random.seed})`,
      async () => {
        if (await own.admin.exists(`product:${product.id}`)) return true;
        await request(`${app!.url}/products/${product.id}`);
        return false;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    const before = catalog.origin.reads(product.id);
    await readAll([app!, app!, app!], product, "after Redis came back");
    because(
      `expected reads to come from Redis again within 10 s of its return: product:${product.id} stored and no more origin calls, saw ${catalog.origin.reads(product.id) - before} more (seed ${random.seed})`,
      () => {
        expect(before).toBeGreaterThan(0);
        expect(catalog.origin.reads(product.id)).toBe(before);
      },
    );
  }, 30_000);

  it("[R6.2, R6.3] serves a write made during a pause once Redis resumes, never the entry cached before it", async () => {
    const { random, product } = await catalog.seededProduct();
    const apps = await failFastInstances(2);
    await cachedOnEvery(catalog.origin, apps, product);
    await own.redis.pause();
    const changed = { ...randomProduct(random, { id: product.id }), version: 2 };
    try {
      // Reads first, so that each instance has seen Redis fail before the write comes.
      await readAll(apps, product, "while Redis is paused");
      const written = await within(
        BOUND_MS + 1000,
        "a PUT while Redis is paused",
        request(`${apps[1]!.url}/products/${product.id}`, {
          method: "PUT",
          json: fieldsOf(changed),
        }),
      );
      expect(written.status).toBe(200);
      await readAll(apps, changed, "after a write while Redis is paused");
    } finally {
      await own.redis.resume();
    }
    // Redis has resumed once it answers again: by then it has run the commands that waited in its
    // sockets during the pause (the PUT's invalidation among them). Before that, on a busy machine,
    // the first read after SIGCONT can reach Redis before the invalidation does.
    await within(5000, "Redis to answer again after the pause", own.admin.ping());
    // Read until both instances answer from the cache again (a round without origin calls), and
    // check every answer on the way: none may be the entry cached before the write (a wrong answer
    // ends the wait and fails the test; eventually alone would retry it).
    let wrong: unknown;
    await eventually(
      `the instances to serve from the cache again after Redis resumed (seed ${random.seed})`,
      async () => {
        const before = catalog.origin.reads(product.id);
        await readAll(
          apps,
          changed,
          "after Redis resumed (the write was made during the pause)",
        ).catch((error: unknown) => (wrong = error));
        return wrong !== undefined || catalog.origin.reads(product.id) === before;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    if (wrong !== undefined) throw wrong;
  }, 30_000);
});
