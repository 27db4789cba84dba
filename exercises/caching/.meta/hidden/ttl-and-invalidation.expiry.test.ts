import { setTimeout as sleep } from "node:timers/promises";
import { because, request, seededRandom, fixedRandom } from "@backend-sandbox/testkit";
import { randomProduct } from "#support/random-product";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog();

describe("ttl-and-invalidation: expiry", () => {
  it("[R1.3] reads the origin again once an entry has expired", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1, { ttlMs: 400, softTtlMs: 400, jitterRatio: 0.25 });
    await request(`${app!.url}/products/${product.id}`);
    await request(`${app!.url}/products/${product.id}`);
    expect(catalog.origin.reads(product.id)).toBe(1);
    await sleep(1200); // past 400 ms * 1.25, with room for a loaded machine
    const answer = await request(`${app!.url}/products/${product.id}`);
    because(
      `expected a read 1.2 s after a 400 ms (+25%) entry to reach the origin again: 2 calls, saw ${catalog.origin.reads(product.id)} (seed ${random.seed})`,
      () => {
        expect(answer.body).toEqual(product);
        expect(catalog.origin.reads(product.id)).toBe(2);
      },
    );
  });

  it("[R2.1] gives entries filled together different TTLs, all within [ttlMs, ttlMs * (1 + jitterRatio)]", async () => {
    const random = seededRandom();
    const products = Array.from({ length: 50 }, () => randomProduct(random));
    await catalog.origin.seed(products);
    const ttlMs = random.int(10, 20) * 1000;
    const jitter = fixedRandom(random.next());
    const [app] = await catalog.instances(1, {
      ttlMs,
      softTtlMs: ttlMs,
      jitterRatio: 0.5,
      random: jitter.draw,
    });
    // Each entry's TTL as it was set: PTTL read right after the fill, plus the time that can have
    // passed since the store (at most the fill and the read). A slow machine widens nothing else.
    const stored: { ttl: number; slack: number }[] = [];
    for (const product of products) {
      jitter.set(random.next()); // the one draw of this fill
      const started = performance.now();
      await request(`${app!.url}/products/${product.id}`);
      const pttl = await catalog.services.redis.pttl(`product:${product.id}`);
      stored.push({ ttl: pttl, slack: Math.ceil(performance.now() - started) + 1 });
    }
    const outside = stored.filter(({ ttl, slack }) => ttl + slack < ttlMs || ttl > ttlMs * 1.5);
    because(
      `expected all 50 TTLs within [${ttlMs}, ${ttlMs * 1.5}] ms; outside (PTTL + time since the fill): ${outside.map((o) => `${o.ttl} + ${o.slack}`).join(", ")} (seed ${random.seed})`,
      () => expect(outside).toEqual([]),
    );
    const ttls = stored.map(({ ttl, slack }) => ttl + slack / 2);
    const spread = Math.max(...ttls) - Math.min(...ttls);
    const buckets = new Set(ttls.map((ttl) => Math.floor(ttl / 100))).size;
    because(
      `expected jittered TTLs: 50 entries with jitterRatio 0.5 should spread over seconds, saw a spread of ${Math.round(spread)} ms in ${buckets} distinct 100 ms steps (seed ${random.seed})`,
      () => {
        expect(spread).toBeGreaterThan(1000);
        expect(buckets).toBeGreaterThanOrEqual(10);
      },
    );
  });

  it("[R2.1] draws the jitter from the injected random(): ttlMs * (1 + jitterRatio * random())", async () => {
    const { random, product } = await catalog.seededProduct();
    const ttlMs = random.int(10, 20) * 1000;
    const draw = 0.5 + random.next() / 2; // a jitter of 2 s or more, far above the time a fill takes
    const [app] = await catalog.instances(1, {
      ttlMs,
      softTtlMs: ttlMs,
      jitterRatio: 0.4,
      random: fixedRandom(draw).draw,
    });
    const started = performance.now();
    await request(`${app!.url}/products/${product.id}`);
    const pttl = await catalog.services.redis.pttl(`product:${product.id}`);
    const slack = Math.ceil(performance.now() - started) + 1;
    const expected = ttlMs * (1 + 0.4 * draw);
    because(
      `expected PTTL within ${slack} ms below ${Math.round(expected)} ms (ttlMs ${ttlMs}, jitterRatio 0.4, random() ${draw.toFixed(3)}), saw ${pttl} (seed ${random.seed})`,
      () => {
        expect(pttl).toBeLessThanOrEqual(expected + 1);
        expect(pttl).toBeGreaterThanOrEqual(expected - slack);
      },
    );
  });

  it("[R2.1] uses the default jitterRatio of 0.1 when the option is left out", async () => {
    const { random, product } = await catalog.seededProduct();
    const draw = 0.5 + random.next() / 2;
    const [app] = await catalog.instances(1, { random: fixedRandom(draw).draw }); // ttlMs and jitterRatio left out
    const started = performance.now();
    await request(`${app!.url}/products/${product.id}`);
    const pttl = await catalog.services.redis.pttl(`product:${product.id}`);
    const slack = Math.ceil(performance.now() - started) + 1;
    const expected = 60_000 * (1 + 0.1 * draw);
    because(
      `expected PTTL within ${slack} ms below ${Math.round(expected)} ms (default ttlMs 60000, default jitterRatio 0.1, random() ${draw.toFixed(3)}), saw ${pttl} (seed ${random.seed})`,
      () => {
        expect(pttl).toBeLessThanOrEqual(expected + 1);
        expect(pttl).toBeGreaterThanOrEqual(expected - slack);
      },
    );
  });

  it("[R2.1] draws the jitter from Math.random when random is left out", async () => {
    const random = seededRandom();
    const products = Array.from({ length: 20 }, () => randomProduct(random));
    await catalog.origin.seed(products);
    const [app] = await catalog.instances(1, {
      ttlMs: 20_000,
      softTtlMs: 20_000,
      jitterRatio: 0.5,
    });
    const ttls: number[] = [];
    for (const product of products) {
      await request(`${app!.url}/products/${product.id}`);
      ttls.push(await catalog.services.redis.pttl(`product:${product.id}`));
    }
    // 20 uniform draws over a 10 s range: a spread under 2 s has a chance below 1e-11.
    const spread = Math.max(...ttls) - Math.min(...ttls);
    because(
      `expected 20 TTLs drawn with Math.random over [20000, 30000] to spread over seconds, saw a spread of ${spread} ms: ${ttls.join(", ")} (seed ${random.seed})`,
      () => expect(spread).toBeGreaterThan(2000),
    );
  });
});
