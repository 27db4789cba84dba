import { because, request, within } from "@backend-sandbox/testkit";
import { answeredFirst } from "#support/answered-first";
import { fieldsOf } from "#support/fields-of";
import { randomProduct } from "#support/random-product";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog();

describe("ttl-and-invalidation", () => {
  it("[R1.3, R2.1] gives a product entry a TTL between ttlMs and ttlMs * (1 + jitterRatio)", async () => {
    const { product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1, { ttlMs: 20_000, jitterRatio: 0.5 });
    await request(`${app!.url}/products/${product.id}`);
    const pttl = await catalog.services.redis.pttl(`product:${product.id}`);
    because(`expected PTTL of product:${product.id} in [~20000, 30000], saw ${pttl}`, () => {
      expect(pttl).toBeGreaterThan(18_000);
      expect(pttl).toBeLessThanOrEqual(30_000);
    });
  });

  it("[R2.2, R2.5] serves a PUT's new state from another instance right away", async () => {
    const { random, product } = await catalog.seededProduct();
    const [a, b] = await catalog.instances(2);
    await request(`${b!.url}/products/${product.id}`); // b has it cached now
    const changed = randomProduct(random, { id: product.id });
    expect(
      (
        await request(`${a!.url}/products/${product.id}`, {
          method: "PUT",
          json: fieldsOf(changed),
        })
      ).status,
    ).toBe(200);
    const answer = await request(`${b!.url}/products/${product.id}`);
    because(
      `expected instance b to answer the new state (version 2) after the PUT on a (seed ${random.seed})`,
      () => expect(answer.body).toEqual({ ...changed, version: 2 }),
    );
  });

  it("[R2.6] does not let a slow read that loaded the old row put it back after a PUT", async () => {
    const { random, product } = await catalog.seededProduct();
    const [a, b] = await catalog.instances(2);
    const read = catalog.origin.holdNextRead(); // the next origin read waits here, old row in hand
    const reading = request(`${a!.url}/products/${product.id}`);
    await within(
      5000,
      "the cold read to reach the origin",
      read.reached,
      answeredFirst(reading, "the read"),
    );
    const changed = randomProduct(random, { id: product.id });
    expect(
      (
        await request(`${b!.url}/products/${product.id}`, {
          method: "PUT",
          json: fieldsOf(changed),
        })
      ).status,
    ).toBe(200);
    read.release();
    await reading;
    const answer = await request(`${b!.url}/products/${product.id}`);
    because(
      `expected the PUT's state (version 2), not the old row the slow read loaded (seed ${random.seed})`,
      () => expect(answer.body).toEqual({ ...changed, version: 2 }),
    );
  });
});
