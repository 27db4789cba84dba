import { setTimeout as sleep } from "node:timers/promises";
import { because, request, within } from "@backend-sandbox/testkit";
import { answeredFirst } from "#support/answered-first";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog({ delayMs: 150 }); // a slow origin, so that cold requests overlap

describe("stampede", () => {
  it("[R3.1] lets 100 concurrent cold requests across 3 instances reach the origin exactly once", async () => {
    const { random, product } = await catalog.seededProduct();
    const apps = await catalog.instances(3, { lockTtlMs: 10_000 }); // longer than any load, even on a busy machine
    const answers = await within(
      15_000,
      "100 concurrent cold reads to be answered",
      Promise.all(
        Array.from({ length: 100 }, (_, n) =>
          request(`${apps[n % 3]!.url}/products/${product.id}`),
        ),
      ),
    );
    const wrong = answers.filter(
      (a) => a.status !== 200 || JSON.stringify(a.body) !== JSON.stringify(product),
    );
    because(
      `expected all 100 answers to be 200 with the product; ${wrong.length} were not (seed ${random.seed})`,
      () => expect(wrong.length).toBe(0),
    );
    because(
      `expected exactly 1 origin call for 100 concurrent cold reads on 3 instances, saw ${catalog.origin.reads(product.id)} (seed ${random.seed})`,
      () => expect(catalog.origin.reads(product.id)).toBe(1),
    );
  });

  it("[R3.2] holds lock:product:<id> with an expiry while the origin loads, and removes it afterwards", async () => {
    const { random, product } = await catalog.seededProduct();
    const lockTtlMs = random.int(3, 6) * 1000;
    const [app] = await catalog.instances(1, { lockTtlMs });
    const read = catalog.origin.holdNextRead();
    const reading = request(`${app!.url}/products/${product.id}`);
    await within(
      5000,
      "the cold read to reach the origin",
      read.reached,
      answeredFirst(reading, "the read"),
    );
    const lock = `lock:product:${product.id}`;
    const pttl = await catalog.services.redis.pttl(lock);
    read.release();
    because(
      `expected ${lock} to exist with a PTTL in (0, ${lockTtlMs}] during the load, saw ${pttl} (seed ${random.seed})`,
      () => {
        expect(pttl).toBeGreaterThan(0);
        expect(pttl).toBeLessThanOrEqual(lockTtlMs);
      },
    );
    expect((await reading).status).toBe(200);
    const left = await catalog.services.redis.exists(lock);
    because(`expected ${lock} to be gone once the entry is stored`, () => expect(left).toBe(0));
  });

  it("[R3.3] releases the lock only while it still holds it: another holder's lock is left alone", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1, { lockTtlMs: 2000 });
    const read = catalog.origin.holdNextRead();
    const reading = request(`${app!.url}/products/${product.id}`);
    await within(
      5000,
      "the cold read to reach the origin",
      read.reached,
      answeredFirst(reading, "the read"),
    );
    // As if the first lock had expired during a slow load and another request had taken it.
    const lock = `lock:product:${product.id}`;
    const other = `other-holder-${random.token(8)}`;
    await catalog.services.redis.set(lock, other, "PX", 10_000);
    read.release();
    expect((await reading).status).toBe(200);
    const value = await catalog.services.redis.get(lock);
    because(
      `expected ${lock} to still hold the other request's token "${other}" after the first holder finished, saw ${JSON.stringify(value)} (seed ${random.seed})`,
      () => expect(value).toBe(other),
    );
  });

  it("[R3.4] waits for a lock whose holder died, then proceeds once that lock expires", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1, { lockTtlMs: 2000 });
    await catalog.services.redis.set(
      `lock:product:${product.id}`,
      `dead-${random.token(6)}`,
      "PX",
      800,
    );
    const reading = request(`${app!.url}/products/${product.id}`);
    await sleep(400);
    because(
      `expected no origin call while another holder's lock is live, saw ${catalog.origin.reads(product.id)}`,
      () => expect(catalog.origin.reads(product.id)).toBe(0),
    );
    const answer = await within(5000, "an answer after the dead holder's lock expired", reading);
    because(
      `expected 200 with the product after the dead lock expired, and one origin call (seed ${random.seed})`,
      () => {
        expect(answer.body).toEqual(product);
        expect(catalog.origin.reads(product.id)).toBe(1);
      },
    );
  });

  it("[R1.6, R3.5] does not cache an origin failure: it answers 503, frees the lock, and the next read retries", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1, { lockTtlMs: 10_000 });
    catalog.origin.failNext("findById");
    const failed = await within(
      5000,
      "an answer when the origin fails",
      request(`${app!.url}/products/${product.id}`),
    );
    because(`expected 503 when the origin fails, got ${failed.status}`, () =>
      expect(failed.status).toBe(503),
    );
    const lock = await catalog.services.redis.exists(`lock:product:${product.id}`);
    because(
      "expected the lock to be released after the failed load (not left to its 10 s expiry)",
      () => expect(lock).toBe(0),
    );
    const retry = await within(
      5000,
      "the next read",
      request(`${app!.url}/products/${product.id}`),
    );
    because(
      `expected the next read to retry the origin and answer 200 (seed ${random.seed})`,
      () => {
        expect(retry.body).toEqual(product);
        expect(catalog.origin.reads(product.id)).toBe(2);
      },
    );
  });

  it("[R3.2] gives the lock the default lockTtlMs of 2000 ms when the option is left out", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1);
    const read = catalog.origin.holdNextRead();
    const started = performance.now();
    const reading = request(`${app!.url}/products/${product.id}`);
    await within(
      5000,
      "the cold read to reach the origin",
      read.reached,
      answeredFirst(reading, "the read"),
    );
    const pttl = await catalog.services.redis.pttl(`lock:product:${product.id}`);
    const slack = Math.ceil(performance.now() - started) + 1; // the lock is no older than this
    read.release();
    await reading;
    because(
      `expected lock:product:${product.id} to carry the default lockTtlMs: a PTTL within ${slack} ms below 2000 while the origin loads, saw ${pttl} (seed ${random.seed})`,
      () => {
        expect(pttl).toBeGreaterThanOrEqual(2000 - slack);
        expect(pttl).toBeLessThanOrEqual(2000);
      },
    );
  });
});
