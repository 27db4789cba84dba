import {
  because,
  PROBLEM_JSON,
  request,
  seededRandom,
  type HttpReply,
  fixedRandom,
} from "@backend-sandbox/testkit";
import { expectProblem } from "#support/expect-problem";
import { keysWithTtl } from "#support/keys-with-ttl";
import { randomProduct } from "#support/random-product";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog();

describe("cache-aside", () => {
  it("[R1.1, R1.2] calls the origin once for repeated reads of a product and answers the same body each time", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1);
    const reads = random.int(3, 6);
    const answers: HttpReply[] = [];
    for (let n = 0; n < reads; n++)
      answers.push(await request(`${app!.url}/products/${product.id}`));
    because(
      `expected ${reads} reads of ${product.id} to answer 200 with the stored product (seed ${random.seed})`,
      () => {
        for (const answer of answers) expect([answer.status, answer.body]).toEqual([200, product]);
        expect(answers[0]!.headers.get("content-type")).toMatch(/^application\/json\b/);
      },
    );
    because(
      `expected 1 origin call for ${reads} reads, saw ${catalog.origin.reads(product.id)} (seed ${random.seed})`,
      () => expect(catalog.origin.reads(product.id)).toBe(1),
    );
  });

  it("[R1.2] keeps one entry per id: interleaved reads of several products each get their own product", async () => {
    const random = seededRandom();
    const products = Array.from({ length: random.int(4, 7) }, () => randomProduct(random));
    await catalog.origin.seed(products);
    const [app] = await catalog.instances(1);
    for (let round = 0; round < 3; round++) {
      for (const product of products) {
        const answer = await request(`${app!.url}/products/${product.id}`);
        because(
          `expected GET /products/${product.id} to answer that product (seed ${random.seed})`,
          () => expect(answer.body).toEqual(product),
        );
      }
    }
    because(
      `expected one origin call per product (${products.length}), saw ${catalog.origin.calls.findById} (seed ${random.seed})`,
      () => expect(catalog.origin.calls.findById).toBe(products.length),
    );
  });

  it("[R1.2] shares entries between instances through Redis: an entry stored by one is served by the others", async () => {
    const { random, product } = await catalog.seededProduct();
    const apps = await catalog.instances(3);
    for (const app of apps)
      expect((await request(`${app.url}/products/${product.id}`)).body).toEqual(product);
    because(
      `expected 1 origin call for one read on each of 3 instances, saw ${catalog.origin.reads(product.id)} (seed ${random.seed})`,
      () => expect(catalog.origin.reads(product.id)).toBe(1),
    );
  });

  it("[R1.2, R1.3] stores the entry under product:<id> with an expiry no longer than the configured TTL", async () => {
    const { random, product } = await catalog.seededProduct();
    const ttlMs = random.int(20, 40) * 1000;
    const [app] = await catalog.instances(1, { ttlMs, jitterRatio: 0.1 });
    await request(`${app!.url}/products/${product.id}`);
    const ttls = await keysWithTtl(catalog.services.redis);
    const pttl = ttls.get(`product:${product.id}`);
    because(
      `expected key product:${product.id} with a PTTL in (0, ${ttlMs * 1.1}], saw ${pttl} (keys: ${[...ttls.keys()].join(", ")})`,
      () => {
        expect(pttl).toBeGreaterThan(0);
        expect(pttl).toBeLessThanOrEqual(ttlMs * 1.1);
      },
    );
    const forever = [...ttls].filter(([key, ttl]) => ttl === -1 && key.startsWith("product:"));
    because(
      `expected every product entry to expire; without expiry: ${forever.map(([key]) => key).join(", ")}`,
      () => expect(forever).toEqual([]),
    );
  });

  it("[R1.4] rejects a malformed id with 400 without reaching the origin or writing to Redis", async () => {
    const [app] = await catalog.instances(1);
    const hostile = [
      "a:lock",
      "x".repeat(65),
      "..%2F..%2Fetc",
      "a%20b",
      "%00",
      "*",
      "a%3Ab",
      "%E2%98%83",
    ];
    for (const id of hostile) {
      const answer = await request(`${app!.url}/products/${id}`);
      because(`expected GET /products/${id} to answer 400, got ${answer.status}`, () =>
        expect(answer.status).toBe(400),
      );
    }
    because(`expected no origin call for malformed ids, saw ${catalog.origin.calls.findById}`, () =>
      expect(catalog.origin.calls.findById).toBe(0),
    );
    const keys = await catalog.services.redis.dbsize();
    because(`expected no Redis key written for malformed ids, found ${keys}`, () =>
      expect(keys).toBe(0),
    );
  });

  it("[R1.5] answers 404 as application/problem+json for an id that does not exist", async () => {
    const random = seededRandom();
    const [app] = await catalog.instances(1);
    const answer = await request(`${app!.url}/products/p-${random.token(8)}`);
    because(
      `expected 404 problem+json for a missing id (seed ${random.seed}), got ${answer.status} ${answer.headers.get("content-type")}`,
      () => {
        expect(answer.status).toBe(404);
        expect(answer.headers.get("content-type")).toMatch(PROBLEM_JSON);
      },
    );
  });

  it("[R1.3] gives an entry the default ttlMs of 60000 ms when the option is left out", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1, { random: fixedRandom(0).draw }); // no jitter drawn from stage 2 on
    const started = performance.now();
    await request(`${app!.url}/products/${product.id}`);
    const pttl = await catalog.services.redis.pttl(`product:${product.id}`);
    const slack = Math.ceil(performance.now() - started) + 1;
    because(
      `expected product:${product.id} to get the default ttlMs, a PTTL within ${slack} ms below 60000, saw ${pttl} (seed ${random.seed})`,
      () => {
        expect(pttl).toBeLessThanOrEqual(60_001);
        expect(pttl).toBeGreaterThanOrEqual(60_000 - slack);
      },
    );
  });

  it("[R1.6] answers 503 when the origin fails, stores nothing, and the next read calls the origin again", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1);
    catalog.origin.failNext("findById");
    const failed = await request(`${app!.url}/products/${product.id}`);
    because(
      `expected 503 problem+json when the origin fails, got ${failed.status} ${failed.headers.get("content-type")}`,
      () => {
        expect(failed.status).toBe(503);
        expect(failed.headers.get("content-type")).toMatch(PROBLEM_JSON);
      },
    );
    const retry = await request(`${app!.url}/products/${product.id}`);
    because(
      `expected the next read to call the origin again and answer the product: 2 origin calls, saw ${catalog.origin.reads(product.id)} (seed ${random.seed})`,
      () => {
        expect(retry.body).toEqual(product);
        expect(catalog.origin.reads(product.id)).toBe(2);
      },
    );
  });

  it("[R1.4, R1.5, R1.6] answers each error of a read as a problem with its status and a detail", async () => {
    const random = seededRandom();
    const [app] = await catalog.instances(1);
    expectProblem(await request(`${app!.url}/products/a:lock`), 400, "GET /products/a:lock");
    const missing = `p-${random.token(8)}`;
    expectProblem(
      await request(`${app!.url}/products/${missing}`),
      404,
      `GET /products/${missing} (no such product, seed ${random.seed})`,
    );
    const product = randomProduct(random);
    await catalog.origin.seed([product]);
    catalog.origin.failNext("findById");
    expectProblem(
      await request(`${app!.url}/products/${product.id}`),
      503,
      `GET /products/${product.id} when the origin fails (seed ${random.seed})`,
    );
  });
});
